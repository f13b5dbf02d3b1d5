// A new client arriving during an overload, measured by a process that is not itself
// saturated. The open-loop generator shares a core with PostgreSQL at 2-3x saturation and runs
// tens of milliseconds late (its `generatorLateP99Ms`); that lag delays its reading of every
// answer too, so its refusal latencies are the generator's as much as the server's. The canary
// is a process of its own, on no pinned core, that sends one GET every 5-15 ms (about 100/s, far
// below any level's rate) on a fresh connection and records how it was answered; its own timer
// lateness is reported beside it, the floor of what it can resolve on a loaded machine.
// Raw sockets, as in open-loop.js: through `http.get` the same canary read the kernel's refused
// connects at p99 8-15 ms at 3x. Through `net` it reads them at p99 2.5-2.9 ms at 1x and
// 11-14 ms at 2-3x, at p50 0.2-0.4 ms. A blocking client, canary.py, runs beside it where python3
// is found (`startCanary(url, { blocking })`) and reads refused connects inside connect(): at p50
// 0.25-0.3 ms but the same p99, 12-16 ms at 1-3x (docs/performance.md), so that tail is the
// loaded machine's packet handling, not this client's event loop.
//
// As a program: node bench/lib/canary.js http://127.0.0.1:8080/path — sends until SIGTERM,
// then prints {records: [[offset ms, outcome, ms]], lateness: [ms]}.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** Whether the blocking canary (canary.py) can run here: python3 on the PATH. */
export const blockingCanaryAvailable = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Starts a canary process; `stop()` resolves with its records and its own lateness. `blocking`:
 * canary.py's blocking sockets instead of this file's event loop (see canary.py for why both).
 */
export function startCanary(url, { blocking = false } = {}) {
  const [command, script] = blocking
    ? ['python3', fileURLToPath(new URL('canary.py', import.meta.url))]
    : [process.execPath, fileURLToPath(import.meta.url)];
  const child = spawn(command, [script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  // The canary writes READY once it handles SIGTERM: a stop before that would kill it silently.
  let ready;
  const started = new Promise((resolve) => (ready = resolve));
  child.stdout.on('data', (chunk) => {
    output += chunk;
    if (output.startsWith(READY)) ready();
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  return {
    /** Resolves once the canary is sending. */
    started,
    async stop() {
      await Promise.race([started, exited]);
      child.kill('SIGTERM');
      await exited;
      const { records, lateness } = JSON.parse(output.slice(READY.length));
      return {
        records: records.map(([offsetMs, outcome, ms]) => ({ offsetMs, outcome, ms })),
        lateness,
      };
    },
  };
}

/** The canary's first line: it is sending, and a SIGTERM gets its records. */
const READY = 'canary ready\n';

/** The status of a response's first bytes, or undefined while the status line is incomplete. */
const statusOf = (bytes) =>
  bytes.length >= 12 ? Number(bytes.toString('latin1', 9, 12)) : undefined;

function runCanary(url, timeoutMs = 10_000) {
  const { port, host, pathname, search } = new URL(url);
  const request = Buffer.from(
    `GET ${pathname}${search} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`,
  );
  const started = performance.now();
  const records = [];
  const lateness = [];
  let outstanding = 0;

  const once = () => {
    const sent = performance.now();
    outstanding++;
    let received = Buffer.alloc(0);
    let done = false;
    const record = (outcome) => {
      if (done) return;
      done = true;
      outstanding--;
      records.push([round(sent - started), outcome, round(performance.now() - sent)]);
      socket.destroy();
    };
    const socket = net.connect({ host: '127.0.0.1', port: Number(port), noDelay: true });
    socket.setTimeout(timeoutMs, () => record('other'));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const status = statusOf(received);
      if (status !== undefined)
        record(status >= 200 && status < 300 ? 'ok' : status === 503 ? 'refused' : 'other');
    });
    // Refused by the server's kernel (its port held: `refusedConnect`), or reset or closed
    // before an answer (accepted into the listen queue, then the port stopped listening: `reset`).
    socket.on('error', (error) =>
      record(
        error.code === 'ECONNREFUSED'
          ? 'refusedConnect'
          : error.code === 'ECONNRESET'
            ? 'reset'
            : 'other',
      ),
    );
    socket.on('close', () => record('reset'));
  };

  let stopping = false;
  let timer;
  const tick = (dueAt) => {
    if (stopping) return;
    lateness.push(round(performance.now() - dueAt));
    once();
    const delay = 5 + Math.random() * 10;
    const next = performance.now() + delay;
    timer = setTimeout(() => tick(next), delay);
  };
  tick(performance.now());

  process.stdout.write(READY);
  process.once('SIGTERM', async () => {
    stopping = true;
    clearTimeout(timer);
    const until = performance.now() + timeoutMs + 500;
    while (outstanding > 0 && performance.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    process.stdout.write(JSON.stringify({ records, lateness }));
  });
}

const round = (x) => Math.round(x * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) runCanary(process.argv[2]);
