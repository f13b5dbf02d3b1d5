// Starting and measuring the servers under test: each pinned to its own core when taskset
// exists, so the load generator (on the other core) does not steal the server's CPU.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const SERVER_CPU = '1';
export const LOAD_CPU = '0';

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Wraps a command so it runs on one core (when taskset is available). */
export function pinned(cpu, command, args) {
  return hasTaskset ? ['taskset', ['-c', cpu, command, ...args]] : [command, args];
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a server process and resolves once `readyPath` answers 200. */
export async function startServer({ name, args, env = {}, port, readyPath = '/hello' }) {
  const [command, argv] = pinned(SERVER_CPU, process.execPath, args);
  const startedAt = performance.now();
  const child = spawn(command, argv, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(url + readyPath);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const startupMs = Math.round(performance.now() - startedAt);
  return {
    name,
    url,
    child,
    startupMs,
    // The server's own PID (taskset execs it, so the PID is the node process).
    peakRssMb: () => peakRssMb(child.pid),
    cpuSeconds: () => cpuSeconds(child.pid),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return undefined;
  }
}

/**
 * User + system CPU time the process has used (all its threads), from /proc. CPU time per
 * request varies far less between runs on a shared machine than requests per second do.
 */
function cpuSeconds(pid) {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** USER_HZ: Linux reports /proc CPU times in 1/100 s on every architecture it runs on. */
const CLOCK_TICKS_PER_S = 100;
