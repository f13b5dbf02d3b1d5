// Starting and measuring the servers under test: each pinned to its own core when taskset
// exists, so the load generator (on the other core) does not steal the server's CPU.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
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

/**
 * How long a server may take to answer its ready path. Generous (the embedded database alone
 * takes seconds to open on a loaded machine); a server that misses it fails the scenario.
 */
const READY_TIMEOUT_MS = 60_000;
/** How much of a server's output (stdout and stderr) is kept for an error message. */
const OUTPUT_KEPT = 8_192;

/**
 * Starts a server process and resolves once `readyPath` answers 200 from that process; throws,
 * with the server's last output, when it exits first, when `readyTimeoutMs` passes, or when the
 * answer comes from another process that holds the port (freePort chose it, and another
 * process may bind it before this one does).
 */
export async function startServer({
  name,
  args,
  env = {},
  port,
  readyPath = '/hello',
  readyTimeoutMs = READY_TIMEOUT_MS,
  wrapper = [],
}) {
  // `wrapper`: a command the server runs under (valgrind), before node and its arguments.
  const [command, argv] = wrapper.length
    ? pinned(SERVER_CPU, wrapper[0], [...wrapper.slice(1), process.execPath, ...args])
    : pinned(SERVER_CPU, process.execPath, args);
  const startedAt = performance.now();
  // Every listener on a port of its own: rampart's probe listener defaults to 8081, and a
  // server left on it by anything else made the next one exit after its public port answered
  // (the scenario then saw only a reset connection). A scenario may still name its own.
  const ports = { PORT: String(port), PROBE_PORT: String(await freePort()) };
  // Piped and read (the last few KB kept) for the whole run: a pipe nobody reads would fill and
  // make the server drop log lines, which production's log collector does not do.
  const child = spawn(command, argv, {
    env: { ...process.env, ...ports, HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk;
    if (output.length > 2 * OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // BENCH_SERVER_LOG=<file>: every server's whole output appended there, to read afterwards.
  if (process.env.BENCH_SERVER_LOG) {
    const file = createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' });
    child.stdout.pipe(file);
    child.stderr.pipe(file);
  }
  const lastOutput = () => output.slice(-OUTPUT_KEPT) || '(no output)';
  const url = `http://127.0.0.1:${port}`;
  const fail = (why) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    return new Error(`${name}: ${why}\n--- ${name} output ---\n${lastOutput()}`);
  };
  const deadline = Date.now() + readyTimeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw fail(`exited (${child.exitCode ?? child.signalCode}) before ${readyPath} answered 200`);
    }
    try {
      const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error?.cause?.code ?? error?.name ?? String(error);
    }
    if (Date.now() > deadline) {
      throw fail(`${readyPath} not 200 after ${readyTimeoutMs} ms (last: ${last})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (listensOn(child.pid, port) === false) {
    throw fail(`port ${port} answered, but another process holds it`);
  }
  const startupMs = Math.round(performance.now() - startedAt);
  return {
    name,
    url,
    child,
    startupMs,
    /** The server's last few KB of output, for an error message. */
    output: lastOutput,
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

/**
 * Whether process `pid` holds the listening TCP socket on `port`, from /proc (the socket inodes
 * of its open files against the kernel's listening sockets); undefined where /proc is missing.
 */
export function listensOn(pid, port) {
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = new Set();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        // local_address is HEXIP:HEXPORT; st 0A is LISTEN; field 9 is the inode.
        if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A') listening.add(fields[9]);
      }
    }
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return listening.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]);
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return undefined;
  }
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
