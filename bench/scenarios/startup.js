// Start-up and idle memory as a newcomer meets them: `npm start` (npm, the telemetry preload,
// production mode) to the first 200 of GET /api/items, then resident memory after 10 s idle.
// On the embedded database (PGlite, no DATABASE_URL: the default) and on PostgreSQL (a
// throwaway database, when PG_ADMIN_URL's server answers), BENCH_STARTUP_RUNS times each.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { throwawayDatabase } from '../lib/database.js';
import { freePort } from '../lib/processes.js';

export const name = 'startup';
export const description =
  '`npm start` to the first 200 of /api/items, and RSS idle: embedded PGlite and PostgreSQL';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const IDLE_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;

export async function run() {
  const results = { embedded: await series({}) };
  let database;
  try {
    database = await throwawayDatabase('startup');
  } catch (error) {
    results.postgres = { skipped: `no PostgreSQL: ${error.message}` };
    return results;
  }
  try {
    results.postgres = await series({ DATABASE_URL: database.url });
  } finally {
    await database.drop();
  }
  return results;
}

async function series(env) {
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await once(env));
  const pick = (key) => runs.map((r) => r[key]);
  return {
    firstAnswerMs: pick('firstAnswerMs'),
    idleRssMb: pick('idleRssMb'),
    startupMsLogged: pick('startupMsLogged'),
  };
}

/** One `npm start`, measured from the spawn; stopped with SIGTERM as a user's Ctrl-C would. */
async function once(env) {
  const port = await freePort();
  const inherited = { ...process.env };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'NODE_OPTIONS']) {
    delete inherited[key];
  }
  const startedAt = performance.now();
  const npm = spawn('npm', ['start'], {
    env: {
      ...inherited,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PORT: String(await freePort()),
      PROBE_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (chunk) => (output += chunk));
  npm.stderr.on('data', (chunk) => (output += chunk));
  try {
    const firstAnswerMs = await firstAnswer(`http://127.0.0.1:${port}/api/items`, startedAt, npm);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    // npm runs the service as its child: the ready line names the service's pid.
    const pid = Number(/"pid":(\d+)[^\n]*"msg":"rampart is ready"/.exec(output)?.[1]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const idleRssMb = Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    const startupMsLogged = Number(/"startupMs":(\d+)/.exec(output)?.[1]);
    return { firstAnswerMs, idleRssMb, startupMsLogged };
  } catch (error) {
    throw new Error(`${error.message}\n--- output ---\n${output.slice(-4_000)}`);
  } finally {
    await new Promise((resolve) => {
      if (npm.exitCode !== null) return resolve();
      npm.once('exit', resolve);
      npm.kill('SIGTERM');
    });
  }
}

async function firstAnswer(url, startedAt, npm) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (npm.exitCode !== null) throw new Error(`npm start exited ${npm.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) return Math.round(performance.now() - startedAt);
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} not 200 within ${READY_TIMEOUT_MS} ms`);
}
