// Overload: open-loop load (bench/lib/open-loop.js) at 0.5x, 1x, 2x and 3x the measured
// saturation rate, for GET /hello and GET /api/items/:id uncached (CACHE_MAX_ITEMS=0, real
// PostgreSQL), against this build (admission) and the revision before it (the on/off load
// shedder, BENCH_OVERLOAD_BASELINE, default a7319a9; a comma-separated list adds more earlier
// builds, e.g. a7319a9,cd13cad for the first admission design), in the same run at the same rates. A
// kubelet stand-in polls /healthz and /readyz every 500 ms on a fresh connection with a 2 s
// timeout, on the probe port where the build has one. Per level: goodput, p50/p99 of admitted
// (2xx) requests, share refused (503, connection refused, reset or closed at accept, not tried
// after a refused connect, or timed out), p99 of 503s, of connections refused or reset and of
// both together (refusalsP99Ms: every answer that turned a request away), probe misses, and the
// time until latency is back to unloaded after the load stops (a p99 per 500 ms span, and the
// first request after which every one is); the same p99s again without the level's first second
// (settled*). Requests the generator's bounded pending queue overflowed (open-loop.js) count as
// turned away, in no latency. A canary (bench/lib/canary.js) arriving on fresh connections from
// a process that is not saturated measures admitted and refused latency without the generator's
// own lag, and a second one with blocking sockets (canary.py, where python3 is found) reads
// refused connects without its own event loop's wait.
// Knobs: BENCH_OVERLOAD_S (8 s per level), BENCH_OVERLOAD_WARM_UP_S (12), BENCH_OVERLOAD_TARGETS (hello,items),
// BENCH_OVERLOAD_BASELINE, BENCH_OVERLOAD_SATURATION, BENCH_OVERLOAD_LEVELS, BENCH_OVERLOAD_RECORDS
// (below).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { baselineBuild } from '../lib/baseline.js';
import { blockingCanaryAvailable, startCanary } from '../lib/canary.js';
import { throwawayDatabase } from '../lib/database.js';
import { load } from '../lib/load.js';
import { pollProbes } from '../lib/probe-poller.js';
import { freePort, LOAD_CPU, pinned, startServer } from '../lib/processes.js';
import { rampartArgs } from '../lib/settings.js';
import { percentile } from '../lib/stats.js';

export const name = 'overload';
export const description =
  'open-loop 0.5x-3x saturation on /hello and /api/items/:id uncached: admission vs the on/off shedder';

const execFileAsync = promisify(execFile);
// The levels, as shares of saturation: BENCH_OVERLOAD_LEVELS=3 runs only 3x (iterating on a change).
const LEVELS = (process.env.BENCH_OVERLOAD_LEVELS ?? '0.5,1,2,3').split(',').map(Number);
// A directory to write each level's records to (<target>.<build>.x<level>.json: the loaded and
// the recovery phase's [scheduled ms, latency ms, outcome, ms from the write]), to see what a
// figure is made of.
const RECORDS_DIR = process.env.BENCH_OVERLOAD_RECORDS;
const LEVEL_S = Number(process.env.BENCH_OVERLOAD_S ?? 8);
// 'none': this build only (iterating on a change); its closed-loop throughput sets the rates then.
const BASELINE_REVS = (process.env.BENCH_OVERLOAD_BASELINE ?? 'a7319a9')
  .split(',')
  .filter((rev) => rev && rev !== 'none');
// Fixed saturation rates ('{"items":4746,"hello":23976}'), so runs on different builds compare.
const SATURATION = JSON.parse(process.env.BENCH_OVERLOAD_SATURATION ?? '{}');
const TARGETS = (process.env.BENCH_OVERLOAD_TARGETS ?? 'hello,items').split(',');
// Extra settings for this build only, to compare variants: '{"ADMISSION_QUEUE_MAX":"0"}'; or
// several variants of this build in one run, by name:
// BENCH_OVERLOAD_VARIANTS='{"admission":{},"no-hold":{"ADMISSION_HOLD_CONNECTIONS":"false"}}'.
const VARIANTS = JSON.parse(
  process.env.BENCH_OVERLOAD_VARIANTS ??
    JSON.stringify({ admission: JSON.parse(process.env.BENCH_OVERLOAD_ENV ?? '{}') }),
);
const LIGHT = 0.1; // share of saturation used to measure unloaded latency and recovery
// Open-loop warm-up before the levels (below): its rate as a share of saturation, and its length.
const WARM_UP_LEVEL = 0.5;
const WARM_UP_S = Number(process.env.BENCH_OVERLOAD_WARM_UP_S ?? 12);
const RECOVERY_S = 4;
// The generator's nice value (BENCH_OVERLOAD_GENERATOR_NICE=-10; unset: the default 0). It shares
// its core with PostgreSQL's backends, and a generator that waits for that core is late with
// every send and every read, which every latency it reports counts.
const GENERATOR_NICE = process.env.BENCH_OVERLOAD_GENERATOR_NICE;
const ONSET_MS = 1_000;

export async function run() {
  const builds = [
    ...BASELINE_REVS.map((rev) => {
      const dir = baselineBuild(rev);
      // Builds from the probe listener on answer probes on PROBE_PORT.
      const probePort = existsSync(`${dir}/dist/health/probe.server.js`);
      return { name: `${probePort ? 'admission' : 'shedder'}-${rev}`, dir, probePort };
    }),
    ...Object.entries(VARIANTS).map(([variant, env]) => ({
      name: variant,
      dir: process.cwd(),
      probePort: true,
      env,
    })),
  ];
  const results = {};
  for (const target of TARGETS) {
    let saturation = SATURATION[target];
    for (const build of builds) {
      const database = await throwawayDatabase(`overload_${target}`);
      try {
        const server = await start(build, target, database.url);
        try {
          const path = target === 'items' ? await seed(server.url) : '/hello';
          const url = `${server.url}${path}`;
          // Saturation: closed-loop throughput of the first build (the shedder never refuses),
          // so both builds get the same offered rates.
          await load({ url, connections: 100, durationS: 2 });
          // 100 closed-loop connections are a sustained overload to admission, which holds the
          // port's connections near its limit (listener.pause.ts) until half a second after the
          // load stops: wrk's next connects would be refused.
          await new Promise((r) => setTimeout(r, 1_500));
          saturation ??= Math.round((await load({ url, connections: 100, durationS: 5 })).rps);
          results[`${target}.saturationPerS`] = saturation;
          results[`${target}.${build.name}`] = await levels(build, server, url, saturation);
        } finally {
          await server.stop();
        }
      } finally {
        await database.drop();
      }
    }
  }
  return results;
}

async function start(build, target, databaseUrl) {
  const probePort = await freePort();
  const server = await startServer({
    name: build.name,
    args: rampartArgs({ dir: build.dir }),
    port: await freePort(),
    readyPath: '/startupz',
    env: {
      NODE_ENV: 'production',
      ADMIN_PORT: String(await freePort()),
      PROBE_PORT: String(probePort),
      OTEL_SDK_DISABLED: 'true',
      ACCESS_LOG_ENABLED: 'false',
      DATABASE_URL: databaseUrl,
      ...(target === 'items' && { CACHE_MAX_ITEMS: '0' }),
      ...build.env,
    },
  });
  server.probeUrl = build.probePort ? `http://127.0.0.1:${probePort}` : server.url;
  return server;
}

async function levels(build, server, url, saturation) {
  const light = Math.max(10, Math.round(saturation * LIGHT));
  // A pod that has served traffic: V8 optimises the request path's functions (TurboFan) after
  // some 10-25k requests, many at once, and on one core those compile jobs took half the CPU for
  // ~0.75 s (perf: V8Worker threads in the compiler). The closed-loop saturation runs above did
  // not get past it, and it landed in the 0.5x level, a p99 of 70-300 ms and pool-wait 503s at
  // half the saturation rate. Here it is over before anything is measured.
  await openLoop(url, [{ rate: Math.round(saturation * WARM_UP_LEVEL), durationS: WARM_UP_S }]);
  const quiet = startCanary(url);
  const [unloaded] = await openLoop(url, [{ rate: light, durationS: 3 }]);
  const figures = {
    unloadedP50Ms: unloaded.okP50Ms,
    unloadedP99Ms: unloaded.okP99Ms,
    unloadedCanaryOkP99Ms: settledCanary(await quiet.stop()).canaryOkP99Ms,
  };
  for (const level of LEVELS) {
    const probes = pollProbes(server.probeUrl);
    const canary = startCanary(url);
    const blocking = blockingCanaryAvailable ? startCanary(url, { blocking: true }) : undefined;
    const [loaded, after] = await openLoop(url, [
      { rate: Math.round(saturation * level), durationS: LEVEL_S, record: true },
      { rate: light, durationS: RECOVERY_S, record: true },
    ]);
    if (RECORDS_DIR) {
      mkdirSync(RECORDS_DIR, { recursive: true });
      const file = `${RECORDS_DIR}/${url.includes('/api/items') ? 'items' : 'hello'}.${build.name}.x${level}.json`;
      writeFileSync(file, JSON.stringify({ loaded: loaded.records, after: after.records }));
    }
    const probe = await probes.stop();
    const arriving = await canary.stop();
    const arrivingBlocking = await blocking?.stop();
    const notOk =
      loaded.refused + loaded.dropped + loaded.notTried + loaded.overflow + loaded.timeouts;
    figures[`x${level}`] = {
      goodputPerS: loaded.goodputPerS,
      okP50Ms: loaded.okP50Ms,
      okP99Ms: loaded.okP99Ms,
      refusedShare: round(notOk / loaded.sent),
      refused503: loaded.refused,
      refused503P99Ms: loaded.refusedP99Ms,
      refused503FromWriteP99Ms: loaded.refusedFromWriteP99Ms,
      droppedAtAccept: loaded.dropped,
      droppedP99Ms: loaded.droppedP99Ms,
      notTried: loaded.notTried,
      overflow: loaded.overflow,
      refusalsP99Ms: loaded.refusalsP99Ms,
      timedOut: loaded.timeouts,
      probeMisses: probe.misses,
      probeMaxMs: probe.maxMs,
      ...settled(loaded.records),
      ...settledCanary(arriving),
      ...(arrivingBlocking && settledCanary(arrivingBlocking, 'blockingCanary')),
      ...recovery(after.records, unloaded.okP99Ms),
      generatorLateP99Ms: loaded.generatorLateP99Ms,
    };
    console.log(
      `  ${build.name} ${url.split('/').slice(3).join('/')} x${level}`,
      figures[`x${level}`],
    );
    // Let the next level start from an idle server.
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return figures;
}

/**
 * The same percentiles without the onset: requests scheduled after the first ONSET_MS, by when
 * admission has told a sustained overload from a burst (admission.queue.ts) and stopped letting
 * requests wait. The whole level's figures above include the onset's waits.
 */
function settled(records) {
  const after = records.filter(([offsetMs]) => offsetMs >= ONSET_MS);
  const of = (outcome, field = 1) =>
    after.filter((r) => r[2] === outcome && r[field] !== null).map((r) => r[field]);
  const refused = of('refused');
  const dropped = of('dropped');
  return {
    settledOkP99Ms: percentile(of('ok'), 99),
    settledRefusedP99Ms: percentile(refused, 99),
    settledRefusedFromWriteP99Ms: percentile(of('refused', 3), 99),
    settledDroppedP99Ms: percentile(dropped, 99),
    settledRefusalsP99Ms: percentile([...refused, ...dropped], 99),
  };
}

/**
 * What a new client arriving during the level's settled part saw (bench/lib/canary.js): its
 * admitted p99, and the p99 of every refusal (503s and connects refused or reset together), with
 * the canary's own timer lateness, the floor of what it can resolve on a loaded machine. Fields
 * `canary*` are the Node canary's, `blockingCanary*` canary.py's (refused connects read inside
 * the connect call, without waiting for an event loop to be scheduled).
 */
function settledCanary({ records, lateness }, prefix = 'canary') {
  const during = records.filter((r) => r.offsetMs >= ONSET_MS && r.offsetMs < LEVEL_S * 1_000);
  const of = (outcome) => during.filter((r) => r.outcome === outcome).map((r) => r.ms);
  const percentileMs = (values, q) => {
    const value = percentile(values, q);
    return value === null ? null : Math.round(value * 100) / 100;
  };
  const [ok, refused, refusedConnect, reset] = ['ok', 'refused', 'refusedConnect', 'reset'].map(of);
  const refusals = [...refused, ...refusedConnect, ...reset];
  // [name, value] pairs, in this order, each name after the prefix (canarySent, ...).
  const figures = [
    ['Sent', during.length],
    ['Ok', ok.length],
    ['OkP99Ms', percentileMs(ok, 99)],
    ['Refusals', refusals.length],
    ['RefusalsP50Ms', percentileMs(refusals, 50)],
    ['RefusalsP99Ms', percentileMs(refusals, 99)],
    ['503', refused.length],
    ['503P99Ms', percentileMs(refused, 99)],
    ['RefusedConnects', refusedConnect.length],
    ['RefusedConnectP99Ms', percentileMs(refusedConnect, 99)],
    ['Resets', reset.length],
    ['ResetP99Ms', percentileMs(reset, 99)],
    ['Other', of('other').length],
    ['LateP99Ms', percentileMs(lateness, 99)],
  ];
  return Object.fromEntries(figures.map(([name, value]) => [prefix + name, value]));
}

// Recovery is judged over RECOVERY_WINDOW_MS spans of the light phase that follows a level (by
// scheduled send time): 400 requests a span at items' light rate, 1,200 at /hello's.
const RECOVERY_WINDOW_MS = 500;

/**
 * Time from the end of the load until latency is back to unloaded: the earliest point of the
 * light phase after which every request is answered 2xx and every RECOVERY_WINDOW_MS span from
 * that point on has a p99 within 2x the unloaded p99 (at least +5 ms, for timer noise); null if
 * none. A p99 against a p99: the unloaded phase itself has requests above its own p99, and one
 * slow request (a GC pause while the heap the overload grew is collected) says nothing about
 * whether the server is back. `recoveryEveryRequestMs` is the stricter reading kept beside it:
 * the first request after which every request is within that bound.
 */
function recovery(unordered, unloadedP99Ms) {
  // Records come in the order answers arrived; judge them in the order they were scheduled.
  const records = unordered.toSorted((a, b) => a[0] - b[0]);
  const bound = Math.max(2 * unloadedP99Ms, unloadedP99Ms + 5);
  const good = records.map(([, latencyMs, outcome]) => outcome === 'ok' && latencyMs <= bound);
  let everyRequest = null;
  for (let i = 0; i < records.length; i++) {
    if (!good[i]) everyRequest = null;
    else everyRequest ??= records[i][0];
  }
  // Candidates: the phase's start and the request after each one that was not good.
  const lastTurnedAway = records.findLastIndex(([, , outcome]) => outcome !== 'ok');
  for (let start = lastTurnedAway + 1; start < records.length; start++) {
    if (start > lastTurnedAway + 1 && good[start - 1]) continue;
    if (spansWithin(records, start, bound))
      return { recoveryMs: records[start][0], recoveryEveryRequestMs: everyRequest };
  }
  return { recoveryMs: null, recoveryEveryRequestMs: everyRequest };
}

/** Whether every RECOVERY_WINDOW_MS span of records[start..] has its latency p99 within bound. */
function spansWithin(records, start, bound) {
  const from = records[start][0];
  let span = [];
  let spanIndex = 0;
  for (let i = start; i < records.length; i++) {
    const index = Math.floor((records[i][0] - from) / RECOVERY_WINDOW_MS);
    if (index !== spanIndex) {
      if (percentile(span, 99) > bound) return false;
      span = [];
      spanIndex = index;
    }
    span.push(records[i][1]);
  }
  return percentile(span, 99) <= bound;
}

async function openLoop(url, phases) {
  const options = JSON.stringify({ url, phases, connections: 2_000, timeoutMs: 10_000 });
  const [pinnedCmd, pinnedArgs] = pinned(LOAD_CPU, process.execPath, [
    'bench/lib/open-loop.js',
    options,
  ]);
  const [cmd, args] = GENERATOR_NICE
    ? ['nice', ['-n', GENERATOR_NICE, pinnedCmd, ...pinnedArgs]]
    : [pinnedCmd, pinnedArgs];
  const { stdout } = await execFileAsync(cmd, args, { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

async function seed(baseUrl) {
  const res = await globalThis.fetch(`${baseUrl}/api/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'overload item', description: 'read by every request' }),
  });
  if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  return res.headers.get('location');
}

const round = (x) => Math.round(x * 1000) / 1000;
