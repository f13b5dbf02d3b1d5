// POST /api/counters/hot/increment from 1,000 concurrent clients: every request adds 1 to the
// same row. rampart (write combining) against a raw Fastify + pg handler doing one statement
// per request (bench/baseline/counters.js, same pool size and SQL), each on a fresh database of
// its own, in one run. Correctness is checked, not assumed: the row's final value must equal
// the 200s counted by the client, and every 200 must have returned a distinct value.
// Goal (issue 10): rampart ≥ 10× the raw handler's increments/s. BENCH_COUNTER_CLIENTS (1000)
// changes the number of clients; BENCH_DURATION_S and BENCH_WARMUP_S apply per server.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { throwawayDatabase } from '../lib/database.js';
import { LOAD_CPU, freePort, pinned, startServer } from '../lib/processes.js';
import { rampartArgs, settings } from '../lib/settings.js';

const run$ = promisify(execFile);
const LOAD = fileURLToPath(new URL('../lib/increments.js', import.meta.url));
const CLIENTS = Number(process.env.BENCH_COUNTER_CLIENTS ?? 1_000);

export const name = 'hot-counter';
export const description = `POST increment of one row, ${CLIENTS} concurrent clients: rampart (combining) vs raw pg, one statement per request`;

export async function run() {
  const targets = [
    { name: 'raw-fastify-pg', args: ['bench/baseline/counters.js'], rampart: false },
    // Admission off: the data path alone. Then as deployed, the adaptive concurrency limit in
    // front of it (an increment waiting for its batch is parked and lends its slot:
    // src/admission/admission.slot.ts).
    { name: 'rampart', args: rampartArgs(), rampart: true, env: { ADMISSION_ENABLED: 'false' } },
    { name: 'rampart-admission', args: rampartArgs(), rampart: true, env: {} },
  ];
  const results = {};
  for (const target of targets) {
    const database = await throwawayDatabase('counter');
    const adminPort = await freePort();
    const server = await startServer({
      name: target.name,
      args: target.args,
      port: await freePort(),
      readyPath: target.rampart ? '/api/counters/hot' : '/healthz',
      env: {
        DATABASE_URL: database.url,
        ...(target.rampart && {
          NODE_ENV: 'production',
          ADMIN_PORT: String(adminPort),
          ADMIN_TOKEN: randomBytes(16).toString('hex'),
          OTEL_SDK_DISABLED: 'true',
          ACCESS_LOG_ENABLED: 'false',
          // 1,000 connections opened at once: past the default cap and backlog (the admission
          // bench measures those); this one measures the hot row behind them.
          HTTP_MAX_CONNECTIONS: '0',
          HTTP_LISTEN_BACKLOG: '4096',
          ...target.env,
        }),
      },
    });
    try {
      const before = server.cpuSeconds();
      const schedBefore = schedstat(server.child.pid);
      const [cmd, args] = pinned(LOAD_CPU, process.execPath, [
        LOAD,
        `${server.url}/api/counters/hot/increment`,
        String(CLIENTS),
        String(settings.durationS),
        String(settings.warmupS),
      ]);
      const { stdout } = await run$(cmd, args, { maxBuffer: 1 << 20, timeout: 300_000 });
      const figures = JSON.parse(stdout);
      const cpuS = server.cpuSeconds() - before;
      const sched = schedstat(server.child.pid);
      const res = await globalThis.fetch(`${server.url}/api/counters/hot`);
      const finalValue = (await res.json()).value;
      results[target.name] = {
        ...figures,
        finalValue,
        correct: finalValue === figures.totalOk && figures.distinctValues === figures.totalOk,
        cpuUsPerIncrement: Math.round((cpuS * 1e7) / figures.totalOk) / 10,
        // Share of the time its event loop was ready to run but waited for the core: on a
        // machine shared with other work this, not the database, can set the ceiling.
        cpuWaitShare: round(
          (sched.waitNs - schedBefore.waitNs) /
            (sched.runNs - schedBefore.runNs + sched.waitNs - schedBefore.waitNs),
        ),
        ...(target.rampart && (await combining(adminPort))),
      };
    } finally {
      await server.stop();
      await database.drop();
    }
  }
  results.ratio = {
    incrementsPerS: round(
      results.rampart.incrementsPerS / results['raw-fastify-pg'].incrementsPerS,
    ),
    withAdmission: round(
      results['rampart-admission'].incrementsPerS / results['raw-fastify-pg'].incrementsPerS,
    ),
  };
  return results;
}

/** Statements sent and increments per statement (warm-up included), from rampart's metrics. */
async function combining(adminPort) {
  const text = await (await globalThis.fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const sample = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  const statements = sample('counters_increment_batch_size_count');
  return {
    statements,
    incrementsPerStatement:
      Math.round((sample('counters_increment_batch_size_sum') / statements) * 10) / 10,
  };
}

const round = (x) => Math.round(x * 100) / 100;

/** The main thread's run and run-queue wait times (Linux /proc; NaN elsewhere). */
function schedstat(pid) {
  try {
    const [runNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { runNs, waitNs };
  } catch {
    return { runNs: NaN, waitNs: NaN };
  }
}
