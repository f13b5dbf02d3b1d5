// Load generation: wrk when installed (C, cheaper per request), else autocannon in a child
// process. Both on 127.0.0.1 only, bounded by duration.
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { LOAD_CPU, pinned } from './processes.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['-v'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return e.status === 1; // wrk -v exits 1 after printing its version
  }
})();

export const loadTool = process.env.BENCH_TOOL ?? (hasWrk ? 'wrk' : 'autocannon');

/**
 * Runs a fixed-duration load and returns { rps, p50Ms, p99Ms, errors, non2xx, requests }.
 * @param {{ url: string, connections: number, durationS: number, headers?: Record<string,string> }} o
 */
export async function load(o) {
  if (!o.url.startsWith('http://127.0.0.1'))
    throw new Error('bench traffic goes to 127.0.0.1 only');
  return loadTool === 'wrk' ? wrk(o) : autocannon(o);
}

/**
 * load() against a server started by processes.js, plus the server's CPU time per request over
 * the run (µs; NaN where /proc is missing).
 */
export async function measure(server, o) {
  const before = server.cpuSeconds();
  const figures = await load(o);
  const cpuS = server.cpuSeconds() - before;
  return { ...figures, cpuUsPerRequest: Math.round((cpuS * 1e7) / figures.requests) / 10 };
}

async function wrk({ url, connections, durationS, headers = {} }) {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const [cmd, args] = pinned(LOAD_CPU, 'wrk', [
    '-t1',
    `-c${connections}`,
    `-d${durationS}s`,
    '--latency',
    ...headerArgs,
    url,
  ]);
  const { stdout } = await run(cmd, args, { maxBuffer: 1 << 20 });
  const ms = (value, unit) => Number(value) * { us: 1e-3, ms: 1, s: 1000 }[unit];
  const latency = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    return m ? ms(m[1], m[2]) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    p50Ms: latency(50),
    p99Ms: latency(99),
    requests,
    errors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
  };
}

async function autocannon({ url, connections, durationS, headers = {} }) {
  const bin = require.resolve('autocannon/autocannon.js');
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const [cmd, args] = pinned(LOAD_CPU, process.execPath, [
    bin,
    '-j',
    '-c',
    String(connections),
    '-d',
    String(durationS),
    ...headerArgs,
    url,
  ]);
  const { stdout } = await run(cmd, args, { maxBuffer: 16 << 20 });
  const r = JSON.parse(stdout);
  return {
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}
