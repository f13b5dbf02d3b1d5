// Closed-loop POST load on one counter: `connections` clients, each sending its next increment
// when the last one answers, for a warm-up and then a measured phase. Each phase stops sending
// at its end and waits for the answers still due, so every increment the server may have applied
// is counted (wrk abandons those in flight, which would make the final value unverifiable).
// Prints a JSON summary with every 200's returned value checked for uniqueness. Run as a child
// process, pinned to the load core. 127.0.0.1 only.
//
// Raw keep-alive sockets and the generators' HTTP/1.1 reader (http-response.js): with undici's
// Pool this client cost 53 us of CPU per increment, more than the server it measured, and the
// two cores it shares with the server and PostgreSQL set rampart's figure, not the server.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { takeResponse } from './http-response.js';

const [url, connectionsArg, durationArg, warmupArg] = process.argv.slice(2);
if (!url.startsWith('http://127.0.0.1')) throw new Error('127.0.0.1 only');
const connections = Number(connectionsArg);
const target = new URL(url);
const REQUEST = Buffer.from(
  `POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-length: 0\r\n\r\n`,
);
const RECONNECT_MS = 10;
const values = [];
const statuses = {};
let errors = 0;
let refusedConnects = 0;

/** One client: one connection (reopened when the server closes it), one increment at a time. */
class Client {
  constructor() {
    this.open();
  }

  open() {
    this.socket = net.connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    this.buffer = Buffer.alloc(0);
    this.socket.on('data', (chunk) => this.onData(chunk));
    let refused = false;
    this.socket.on('error', (error) => {
      refused = error.code === 'ECONNREFUSED';
    });
    this.socket.on('close', () => {
      // A connect refused by the server's kernel (rampart holding its connections under
      // overload) never reached the server; any other increment without an answer is an error:
      // its outcome is unknown to this client.
      if (this.sentAt !== undefined) {
        if (refused) refusedConnects++;
        else errors++;
        this.sentAt = undefined;
      }
      // Reconnect after a pause, as a client does after a refused or reset connection;
      // reconnecting at once would spin this client's core against a port that refuses.
      if (this.phase) setTimeout(() => this.phase && this.next(), RECONNECT_MS);
    });
  }

  /** Sends increments until `phase.end`; resolves once the last one is answered. */
  run(phase) {
    this.phase = phase;
    return new Promise((resolve) => {
      this.done = resolve;
      this.next();
    });
  }

  next() {
    if (performance.now() >= this.phase.end) {
      this.phase = undefined;
      this.done();
      return;
    }
    if (this.socket.destroyed) this.open();
    this.sentAt = performance.now();
    this.socket.write(REQUEST);
  }

  onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const response = takeResponse(this.buffer);
    if (!response) return;
    this.buffer = response.rest;
    const { status } = response;
    const body = JSON.parse(response.body.toString() || '{}');
    const phase = this.phase;
    const sentAt = this.sentAt;
    this.sentAt = undefined;
    // Problem+json answers are counted by their code, plain ones by their status.
    const key = body.code ? `${status} ${body.code}` : status;
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (status === 200) {
      values.push(body.value);
      if (phase) {
        phase.ok++;
        phase.latencies?.push(performance.now() - sentAt);
      }
    }
    if (response.close) {
      this.socket.destroy(); // 'close' reopens and sends the next one
      return;
    }
    if (phase) this.next();
  }
}

const clients = Array.from({ length: connections }, () => new Client());

async function phase(seconds, latencies) {
  const current = { end: performance.now() + seconds * 1000, ok: 0, latencies };
  const started = performance.now();
  await Promise.all(clients.map((client) => client.run(current)));
  return { ok: current.ok, elapsedS: (performance.now() - started) / 1000 };
}

await phase(Number(warmupArg), undefined);
const latencies = [];
const cpuBefore = process.cpuUsage();
const schedBefore = schedstat();
const measured = await phase(Number(durationArg), latencies);
const cpu = process.cpuUsage(cpuBefore);
const sched = schedstat();
for (const client of clients) client.socket.destroy();

latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
values.sort((a, b) => a - b);
let distinct = values.length > 0 ? 1 : 0;
for (let i = 1; i < values.length; i++) if (values[i] !== values[i - 1]) distinct++;
process.stdout.write(
  JSON.stringify({
    incrementsPerS: Math.round(measured.ok / measured.elapsedS),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    measuredOk: measured.ok,
    totalOk: values.length,
    distinctValues: distinct,
    maxValue: values.at(-1) ?? 0,
    statuses,
    errors,
    refusedConnects,
    // The client's own cost and its wait for its core: a starved client caps the figure too.
    clientCpuUsPerRequest: Math.round((cpu.user + cpu.system) / Math.max(1, latencies.length)),
    clientCpuWaitShare:
      Math.round(
        ((sched[1] - schedBefore[1]) / (sched[0] - schedBefore[0] + sched[1] - schedBefore[1])) *
          100,
      ) / 100,
  }),
);

/** This process's main-thread run and run-queue wait times, ns (Linux; NaN elsewhere). */
function schedstat() {
  try {
    return readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number);
  } catch {
    return [NaN, NaN];
  }
}
