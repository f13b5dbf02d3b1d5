// Open-loop load: requests are scheduled at a fixed rate whatever the server answers, and every
// latency is measured from the request's scheduled send time, so time spent waiting for a
// connection (client side, in the kernel, in the server) counts (no coordinated omission, unlike
// closed-loop wrk). Raw TCP sockets and a minimal HTTP/1.1 reader (http-response.js) keep the
// generator cheap; each request takes an idle keep-alive connection or opens a new one (up to
// `connections`), the way many independent clients or an ingress with a large upstream pool would.
// With every connection busy a request waits for one in a bounded queue (`maxPending`, 1,024 by
// default, Envoy's default `max_pending_requests`); past it the request overflows at once, as an
// ingress answers it itself rather than holding it (outcome `overflow`, counted in no latency).
// Unbounded, that queue held a 3x overload's first second for the next two or three: 15,000
// requests answered 6 ms after their write but 1.8 s after their scheduled send, and the
// requests of the seconds after never reached the server.
//
// As a program (pinned to the load core by its caller):
//   node bench/lib/open-loop.js '{"url":"http://127.0.0.1:8080/hello","phases":[{"rate":1000,"durationS":5}]}'
// prints one JSON array: per phase, answered 2xx (count, p50/p99/max ms, goodput per second),
// refused (503 count and latency percentiles, also from the request's write), dropped
// connections (refused or reset by the server's kernel, closed at accept), requests not tried
// (the backoff below), requests overflowed (the pending bound above), timeouts, other statuses,
// the generator's own lateness, and `records` ([scheduled ms, latency ms, outcome, ms from the
// write]) for phases asked with `record: true`.
import net from 'node:net';
import { takeResponse } from './http-response.js';
import { percentile as percentileOf } from './stats.js';

/**
 * @typedef {{ rate: number, durationS: number, record?: boolean }} Phase
 * @typedef {{ url: string, phases: Phase[], connections?: number, maxPending?: number,
 *   timeoutMs?: number }} Options
 */

/** Runs the phases back to back and resolves with their figures. @param {Options} options */
export async function runOpenLoop(options) {
  const url = new URL(options.url);
  if (url.hostname !== '127.0.0.1') throw new Error('open-loop traffic goes to 127.0.0.1 only');
  const maxConnections = options.connections ?? 2_000;
  const maxPending = options.maxPending ?? 1_024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const requestBytes = Buffer.from(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nuser-agent: open-loop\r\n\r\n`,
  );
  const idle = [];
  const waiting = [];
  let open = 0;
  // After a connect refused by the server's kernel (its port stopped listening: rampart holding
  // connections under overload), requests that would need a new connection are given up without
  // trying for REFUSED_BACKOFF_MS (outcome `notTried`: the client's decision, not the server's
  // answer, so no refusal latency counts them), as an ingress's passive health check does (nginx
  // max_fails/fail_timeout, Envoy outlier detection), only far shorter. Without it every refused
  // connect costs this generator's one core ~60 us, and at 3x saturation the generator, not the
  // server, set the figures (its own lateness went to 100+ ms and the held connections idled).
  const REFUSED_BACKOFF_MS = 10;
  let refusedUntil = 0;
  const inFlight = new Set();

  const finish = (req, outcome, status) => {
    if (req.done) return;
    req.done = true;
    inFlight.delete(req);
    req.phase.observe(req, outcome, status, performance.now() - req.scheduled);
  };

  const connect = () => {
    open++;
    const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const conn = { socket, req: undefined, buffer: Buffer.alloc(0) };
    socket.on('connect', () => {
      if (!conn.req) return;
      conn.req.writtenAt = performance.now();
      socket.write(requestBytes);
    });
    socket.on('data', (chunk) => onData(conn, chunk));
    const lost = () => {
      if (conn.closed) return;
      conn.closed = true;
      open--;
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
      // A request that never got an answer: closed at accept (connection cap), reset, refused.
      if (conn.req) finish(conn.req, 'dropped');
      conn.req = undefined;
      pump();
    };
    socket.on('error', (error) => {
      if (error.code === 'ECONNREFUSED') refusedUntil = performance.now() + REFUSED_BACKOFF_MS;
      lost();
    });
    socket.on('close', lost);
    return conn;
  };

  const onData = (conn, chunk) => {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    for (;;) {
      const response = takeResponse(conn.buffer);
      if (!response) return;
      conn.buffer = response.rest;
      const { status } = response;
      const req = conn.req;
      conn.req = undefined;
      if (req)
        finish(
          req,
          status >= 200 && status < 300 ? 'ok' : status === 503 ? 'refused' : 'other',
          status,
        );
      if (response.close) {
        conn.socket.destroy();
        return;
      }
      release(conn);
    }
  };

  const release = (conn) => {
    if (conn.closed) return;
    const next = waiting.shift();
    if (next) return assign(conn, next);
    idle.push(conn);
  };

  const assign = (conn, req) => {
    conn.req = req;
    req.conn = conn;
    if (conn.socket.connecting) return; // written on 'connect'
    req.writtenAt = performance.now();
    conn.socket.write(requestBytes);
  };

  const pump = () => {
    if (performance.now() < refusedUntil) return;
    while (waiting.length && open < maxConnections) assign(connect(), waiting.shift());
  };

  const send = (req) => {
    inFlight.add(req);
    const conn = idle.pop();
    if (conn) return assign(conn, req);
    if (performance.now() < refusedUntil) return finish(req, 'notTried');
    if (open < maxConnections) return assign(connect(), req);
    if (waiting.length >= maxPending) return finish(req, 'overflow');
    waiting.push(req);
  };

  const sweep = setInterval(() => {
    const now = performance.now();
    for (const req of inFlight) {
      if (now - req.scheduled < timeoutMs) continue;
      const i = waiting.indexOf(req);
      if (i >= 0) waiting.splice(i, 1);
      if (req.conn && req.conn.req === req) req.conn.socket.destroy();
      finish(req, 'timeout');
    }
  }, 100);

  const results = [];
  for (const phase of options.phases) {
    const stats = new PhaseStats(phase);
    const started = performance.now();
    const total = Math.round(phase.rate * phase.durationS);
    let next = 0;
    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next < total && started + (next * 1000) / phase.rate <= now) {
          const scheduled = started + (next * 1000) / phase.rate;
          stats.lateness.push(now - scheduled);
          send({ scheduled, offset: scheduled - started, phase: stats, done: false });
          next++;
        }
        if (next >= total) return resolve();
        // A timer, never a spin: what is due by then goes out together, at most a timer's
        // granularity (~1 ms) late, and that lateness is measured (generatorLateP99Ms) and
        // counted in every latency. Spinning on setImmediate whenever the next send was due
        // within 2 ms (every rate above 500/s) kept this core at 100 % even at 1,500/s; on a
        // 2-core machine that is the core PostgreSQL's backends also run on, and `items` at
        // half its saturation met 100-300 ms stalls and refused pool waits (DB_POOL_TIMEOUT)
        // every run, none with the generator asleep between sends (docs/performance.md).
        const dueIn = started + (next * 1000) / phase.rate - performance.now();
        setTimeout(tick, Math.max(1, dueIn));
      };
      tick();
    });
    stats.sendEnd = performance.now();
    results.push(stats);
  }
  // Let the last answers arrive (bounded by the timeout sweep).
  while (inFlight.size) await new Promise((r) => setTimeout(r, 20));
  clearInterval(sweep);
  for (const conn of idle.splice(0)) conn.socket.destroy();
  return results.map((s) => s.summary());
}

class PhaseStats {
  constructor(phase) {
    this.phase = phase;
    this.ok = [];
    this.okInPhase = 0;
    this.refused = [];
    this.refusedFromWrite = [];
    this.dropped = [];
    this.notTried = 0;
    this.overflow = 0;
    this.timeouts = 0;
    this.other = {};
    this.lateness = [];
    this.records = phase.record ? [] : undefined;
  }

  observe(req, outcome, status, latencyMs) {
    // From the request's write rather than its scheduled send: without this generator's
    // lateness and its wait for a connection, which at 3x saturation reach tens of ms.
    const fromWriteMs = req.writtenAt === undefined ? undefined : performance.now() - req.writtenAt;
    if (outcome === 'ok') {
      this.ok.push(latencyMs);
      if (req.offset + latencyMs <= this.phase.durationS * 1000) this.okInPhase++;
    } else if (outcome === 'refused') {
      this.refused.push(latencyMs);
      if (fromWriteMs !== undefined) this.refusedFromWrite.push(fromWriteMs);
    } else if (outcome === 'dropped') this.dropped.push(latencyMs);
    else if (outcome === 'notTried') this.notTried++;
    else if (outcome === 'overflow') this.overflow++;
    else if (outcome === 'timeout') this.timeouts++;
    else this.other[status] = (this.other[status] ?? 0) + 1;
    this.records?.push([
      Math.round(req.offset),
      round(latencyMs),
      outcome,
      fromWriteMs === undefined ? null : round(fromWriteMs),
    ]);
  }

  summary() {
    const { rate, durationS } = this.phase;
    const sent = Math.round(rate * durationS);
    return {
      rate,
      durationS,
      sent,
      ok: this.ok.length,
      // Answers that arrived while the phase was still sending: what the server delivered per
      // second under this load (answers to a queue drained afterwards do not count).
      goodputPerS: round(this.okInPhase / durationS),
      okP50Ms: percentile(this.ok, 50),
      okP99Ms: percentile(this.ok, 99),
      okMaxMs: percentile(this.ok, 100),
      refused: this.refused.length,
      refusedShare: round(this.refused.length / sent),
      refusedP50Ms: percentile(this.refused, 50),
      refusedP99Ms: percentile(this.refused, 99),
      refusedFromWriteP99Ms: percentile(this.refusedFromWrite, 99),
      dropped: this.dropped.length,
      droppedP99Ms: percentile(this.dropped, 99),
      notTried: this.notTried,
      overflow: this.overflow,
      // Every answer that turned the request away, whichever way: a 503 or a connect the
      // server's kernel refused or reset (the port held, listener.pause.ts).
      refusalsP99Ms: percentile([...this.refused, ...this.dropped], 99),
      timeouts: this.timeouts,
      other: this.other,
      generatorLateP99Ms: percentile(this.lateness, 99),
      ...(this.records && { records: this.records }),
    };
  }
}

function percentile(values, p) {
  const value = percentileOf(values, p);
  return value === null ? null : round(value);
}

const round = (x) => Math.round(x * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runOpenLoop(JSON.parse(process.argv[2]));
  process.stdout.write(JSON.stringify(result));
}
