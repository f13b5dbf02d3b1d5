// Bench knobs (environment): BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (100),
// BENCH_TOOL (wrk|autocannon), BENCH_BURST (10000).
import { existsSync } from 'node:fs';

export const settings = {
  durationS: Number(process.env.BENCH_DURATION_S ?? 10),
  warmupS: Number(process.env.BENCH_WARMUP_S ?? 2),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 100),
};

const BOOTSTRAP = 'dist/telemetry/telemetry.bootstrap.js';

/** How production starts rampart (package.json "start"), minus NODE_ENV which env carries. */
export function rampartArgs() {
  const preload = existsSync(BOOTSTRAP) ? ['--import', `./${BOOTSTRAP}`] : [];
  return ['--enable-source-maps', ...preload, 'dist/main.js'];
}
