// Bench knobs (environment): BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (100),
// BENCH_TOOL (wrk|autocannon), BENCH_BURST (10000).
import { existsSync } from 'node:fs';

export const settings = {
  durationS: Number(process.env.BENCH_DURATION_S ?? 10),
  warmupS: Number(process.env.BENCH_WARMUP_S ?? 2),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 100),
};

const BOOTSTRAP = 'dist/telemetry/telemetry.bootstrap.js';

/** The V8 flags of package.json "start" (the image's ENTRYPOINT sets the same GC flag). */
export const START_FLAGS = [
  '--liftoff-only',
  '--max-semi-space-size=8',
  '--no-allocation-site-pretenuring',
];

/**
 * How production starts rampart (package.json "start"), minus NODE_ENV which env carries;
 * `startFlags: false` leaves V8 at Node's defaults (for scenarios that set their own).
 */
export function rampartArgs({ startFlags = true } = {}) {
  const preload = existsSync(BOOTSTRAP) ? ['--import', `./${BOOTSTRAP}`] : [];
  return [...(startFlags ? START_FLAGS : []), '--enable-source-maps', ...preload, 'dist/main.js'];
}
