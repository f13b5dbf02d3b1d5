// /hello with telemetry on (metrics, access log at info, tracing to a real OTLP/HTTP endpoint that
// decodes what it gets) against raw Fastify, NestJS + Fastify alone (the floor of the stack), and
// the setup a NestJS user would pick instead (NestJS + auto-instrumentations + @fastify/otel,
// 100 % sampled), same run, same load, in interleaved rounds (BENCH_TELEMETRY_ROUNDS, 5; each
// target's median reported): rampart at default 10 % sampling and at 100 % with the
// span pipeline's drop counter read from /metrics afterwards. Every server's stdout is a pipe
// that is read (bench/lib/processes.js), as a container runtime reads it. Start-up = spawn to first 200, against a
// throwaway PostgreSQL database as in production (embedded PGlite takes seconds to open).
import { throwawayDatabase } from '../lib/database.js';
import { load, measure } from '../lib/load.js';
import { freePort, startServer } from '../lib/processes.js';
import { startSink } from '../lib/sink-process.js';
import { baselineBuild } from '../lib/baseline.js';
import { helloTargets, tracedEnv } from '../lib/hello-targets.js';
import { rampartArgs, settings } from '../lib/settings.js';
import { median } from '../lib/stats.js';

export const name = 'telemetry';
/** Interleaved rounds per target (BENCH_TELEMETRY_ROUNDS); the median round is reported. */
const ROUNDS = Number(process.env.BENCH_TELEMETRY_ROUNDS ?? 5);
// An earlier build of rampart in the same rounds, to measure a change in CPU time:
// BENCH_TELEMETRY_BASELINE=842ad77@1 (a revision, and the sampling ratio to run it at; `off` for
// tracing off). BENCH_TELEMETRY_TARGETS=rampart-100pct keeps only those targets, besides NestJS
// alone (the floor every ratio is taken against) and the baselines.
const BASELINE_REVS = (process.env.BENCH_TELEMETRY_BASELINE ?? '').split(',').filter(Boolean);
const ONLY = process.env.BENCH_TELEMETRY_TARGETS?.split(',');
// Variants of this build, traced at `ratio` with extra environment, to attribute a cost to a
// setting: BENCH_TELEMETRY_VARIANTS='{"10pct-no-tracez":{"ratio":"0.1","TRACEZ_ENABLED":"false"}}'.
const VARIANTS = JSON.parse(process.env.BENCH_TELEMETRY_VARIANTS ?? '{}');
export const description =
  'GET /hello: raw Fastify, NestJS alone, NestJS + auto-instrumentation, rampart off/10 %/100 %';

export async function run() {
  const database = await throwawayDatabase('telemetry');
  try {
    return await compare(database.url);
  } finally {
    await database.drop();
  }
}

async function compare(databaseUrl) {
  const sink = await startSink();
  const targets = [
    { name: 'raw-fastify', args: ['bench/baseline/hello.js'], env: {} },
    ...helloTargets(sink.url),
    ...BASELINE_REVS.map((spec) => {
      const [rev, ratio = 'off'] = spec.split('@');
      return {
        baseline: true,
        name: `rampart-${ratio}-${rev}`,
        args: rampartArgs({ dir: baselineBuild(rev) }),
        env: ratio === 'off' ? { OTEL_SDK_DISABLED: 'true' } : tracedEnv(sink.url, ratio),
      };
    }),
    ...Object.entries(VARIANTS).map(([name, { ratio, ...env }]) => ({
      baseline: true,
      name: `rampart-${name}`,
      args: rampartArgs(),
      env: {
        ...(ratio === 'off' ? { OTEL_SDK_DISABLED: 'true' } : tracedEnv(sink.url, ratio)),
        ...env,
      },
    })),
  ].filter((t) => !ONLY || t.baseline || t.name === 'nest-alone' || ONLY.includes(t.name));
  // Every target once per round, rounds interleaved, and each target's median round reported:
  // this machine's speed drifts by tens of percent within minutes, so one pass in order would
  // compare whoever ran during a slow minute with whoever did not.
  const runs = Object.fromEntries(targets.map((target) => [target.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        runs[target.name].push(await measureTarget(target, databaseUrl, sink));
      }
    }
  } finally {
    await sink.stop();
  }
  const results = {};
  for (const [name, figures] of Object.entries(runs)) {
    const ordered = [...figures].sort((a, b) => a.cpuUsPerRequest - b.cpuUsPerRequest);
    results[name] = {
      // The round with the median CPU per request, and the median requests/s of all rounds.
      ...ordered[Math.floor((ordered.length - 1) / 2)],
      rps: median(figures.map((f) => f.rps)),
      cpuUsPerRequestRounds: figures.map((f) => f.cpuUsPerRequest),
      ...(name.startsWith('rampart') && {
        spansDroppedAllRounds: figures.reduce((sum, f) => sum + f.spansDropped, 0),
      }),
    };
  }
  // CPU time per request is steadier than requests/s on a shared machine; both are relative to
  // NestJS alone, the floor of the chosen stack (and raw Fastify's ratio for scale).
  const floor = results['nest-alone'];
  for (const key of Object.keys(results)) {
    results[key].rpsVsNest = round(results[key].rps / floor.rps);
    results[key].cpuVsNest = round(results[key].cpuUsPerRequest / floor.cpuUsPerRequest);
    // The same ratio taken within each round (against NestJS alone measured a minute apart, not
    // in another round) and its median: the machine's drift between rounds cancels out of it,
    // which the ratio of two medians above does not. Both are reported.
    const paired = runs[key].map(
      (f, i) => f.cpuUsPerRequest / runs['nest-alone'][i].cpuUsPerRequest,
    );
    results[key].cpuVsNestRounds = paired.map(round);
    results[key].cpuVsNestPaired = round(median(paired));
  }
  const userPick = results['nest-otel-auto-100pct'];
  if (userPick && results['rampart-100pct']) {
    results['rampart-100pct'].rpsVsUserPick = round(results['rampart-100pct'].rps / userPick.rps);
  }
  results.sink = await sink.stop();
  return results;
}

/** Starts one target, warms it, measures it, stops it; spans counted at the receiver. */
async function measureTarget(target, databaseUrl, sink) {
  const adminPort = await freePort();
  const server = await startServer({
    ...target,
    env: {
      ...target.env,
      DATABASE_URL: databaseUrl,
      ADMIN_PORT: String(adminPort),
      NODE_ENV: 'production',
    },
    port: await freePort(),
  });
  let figures;
  let before = { spans: 0 };
  try {
    const url = `${server.url}/hello`;
    await load({ url, connections: settings.connections, durationS: settings.warmupS });
    before = await sink.counts();
    figures = await measure(server, {
      url,
      connections: settings.connections,
      durationS: settings.durationS,
    });
    figures.startupMs = server.startupMs;
    if (target.name.startsWith('rampart')) Object.assign(figures, await spanCounters(adminPort));
  } finally {
    await server.stop();
  }
  // Spans decoded by the receiver while this server was measured, and after its shutdown
  // flush: against its request count this shows what was dropped.
  figures.spansReceived = (await sink.counts()).spans - before.spans;
  return figures;
}

/** Exported and dropped span counts from rampart's own /metrics. */
async function spanCounters(adminPort) {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const value = (pattern) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    spansExported: value('otel_sdk_span_exported_total'),
    spansDropped:
      value('otel_sdk_span_dropped_total\\{reason="queue_full"\\}') +
      value('otel_sdk_span_dropped_total\\{reason="export_failed"\\}'),
  };
}

const round = (x) => Math.round(x * 100) / 100;
