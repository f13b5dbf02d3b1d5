// Bench knobs (environment): BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (100),
// BENCH_TOOL (wrk|autocannon), BENCH_BURST (10000).
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const settings = {
  durationS: Number(process.env.BENCH_DURATION_S ?? 10),
  warmupS: Number(process.env.BENCH_WARMUP_S ?? 2),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 100),
};

/** The V8 flags of package.json "start" (the image's ENTRYPOINT sets the same GC flag). */
export const START_FLAGS = [
  '--liftoff-only',
  '--max-semi-space-size=16',
  '--no-allocation-site-pretenuring',
];

/**
 * How production starts rampart (package.json "start"), minus NODE_ENV which env carries: the
 * build in `dir` (this checkout by default; scenarios comparing an earlier build pass its
 * directory). `startFlags: false` leaves V8 at Node's defaults (for scenarios that set their own).
 */
export function rampartArgs({ startFlags = true, dir = '.' } = {}) {
  // The bundle (scripts/bundle.mjs) when the build has one; a revision from before it, tsc's files.
  const [bootstrap, main] = existsSync(`${dir}/dist/bundle/main.js`)
    ? [`${dir}/dist/bundle/telemetry.bootstrap.js`, `${dir}/dist/bundle/main.js`]
    : [`${dir}/dist/telemetry/telemetry.bootstrap.js`, `${dir}/dist/main.js`];
  const preload = existsSync(bootstrap) ? ['--import', pathToFileURL(bootstrap).href] : [];
  return [...(startFlags ? START_FLAGS : []), ...preload, main];
}
