import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathAsSent } from '../errors/client-text.js';
import { buildProblem, classifyError, PROBLEM_CONTENT_TYPE } from '../errors/problem.js';
import { PROBE_PATHS } from '../health/health.paths.js';
import { requestIdFrom } from '../request-context/request-id.js';
import { requestTimeoutMs } from '../request-context/duration.js';
import { ConcurrencyLimitedError, ServerOverloadedError } from './admission.errors.js';
import type { AdmissionGate } from './admission.gate.js';
import { Verdict, type GateWaiter } from './admission.verdict.js';
import { attachSlot } from './admission.slot.js';

/** Kubelet probes by URL, before any routing: `/readyz`, `/readyz?verbose`; not `/readyzx`. */
function isProbeUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  for (const prefix of PROBE_PATHS) {
    if (url.startsWith(prefix) && (url.length === prefix.length || url[prefix.length] === '?'))
      return true;
  }
  return false;
}

interface Pending extends GateWaiter {
  admittedAt: number;
  done: boolean;
}

/**
 * Admission at the raw Node request listener (Fastify's `serverFactory`, server.options.ts): the
 * decision and the refusal happen before Fastify builds its request and reply, routes, or runs a
 * hook. Refusing there is what makes refusing cheaper than serving; through Fastify's onRequest
 * hook a refusal cost about as much CPU as `/hello` itself, so refusals kept a saturated core
 * saturated. A request over the limit waits in a short queue (admission.queue.ts) up to
 * ADMISSION_QUEUE_TIMEOUT_MS, bounded by its deadline; otherwise 503 problem+json (the documented
 * body, pre-serialised per code and limit) + Retry-After. While the queue stands or the loop keeps
 * lagging (sustained overload) refusals also say `Connection: close`: the client's next request
 * needs a new connection, which the connection cap and the kernel refuse more cheaply than we parse
 * a request. A slot is released once, when the answer is made (or the response closes first);
 * the request's code may lend it out meanwhile (admission.slot.ts).
 */
export class AdmissionListener {
  private gate?: AdmissionGate;
  /** The status page's problems by code (errors/problem.counts.ts), which refusals count in. */
  private problems?: { record(code: string): void };
  private readonly bodies = new Map<string, string>();

  constructor(private readonly requestTimeoutMs: number) {}

  /** Starts admitting through `gate` (called once Nest has built it). Before: pass-through. */
  use(gate: AdmissionGate | undefined, problems?: { record(code: string): void }): void {
    this.gate = gate;
    this.problems = problems;
  }

  /** Wraps Fastify's request handler. */
  wrap(handler: RequestListener): RequestListener {
    return (req, res) => {
      const gate = this.gate;
      if (gate === undefined || isProbeUrl(req.url)) return handler(req, res);
      const verdict = gate.tryAcquire();
      if (verdict === Verdict.Admit) return this.serve(gate, handler, req, res, performance.now());
      if (verdict === Verdict.LoopLagging) return this.refuse(req, res, gate, 'SERVER_OVERLOADED');
      const pending: Pending = {
        arrivedAt: performance.now(),
        maxWaitMs: Math.min(gate.queueTimeoutMs, this.deadlineMs(req)),
        admittedAt: 0,
        done: false,
        admit: () => {
          if (!pending.done) this.serve(gate, handler, req, res, performance.now(), pending);
        },
        refuse: () => {
          pending.done = true;
          this.refuse(req, res, gate, 'CONCURRENCY_LIMITED');
        },
      };
      if (!gate.wait(pending)) return this.refuse(req, res, gate, 'CONCURRENCY_LIMITED');
      // A client that leaves while waiting gives up its place. `on`, not `once`: 'close' fires
      // once, and once() wraps the listener per request.
      res.on('close', () => {
        if (pending.admittedAt !== 0 || pending.done) return;
        pending.done = true;
        gate.abandon(pending);
      });
    };
  }

  private serve(
    gate: AdmissionGate,
    handler: RequestListener,
    req: IncomingMessage,
    res: ServerResponse,
    admittedAt: number,
    pending?: Pending,
  ): void {
    if (pending) pending.admittedAt = admittedAt;
    const slot = gate.slot(admittedAt, pending ? admittedAt - pending.arrivedAt : 0);
    if (res.destroyed) {
      // Admitted from the queue after its client left: hand the slot straight back.
      slot.release(false);
      return;
    }
    attachSlot(req, slot);
    // The one close listener of an admitted response: the request-state hook hands its own
    // close-time work to the slot (AdmissionSlot.onClose) instead of adding a second.
    res.on('close', () => slot.closed(res.writableFinished));
    handler(req, res);
  }

  /** The request's deadline; an unusable x-request-timeout gets its 400 from the context hook. */
  private deadlineMs(req: IncomingMessage): number {
    return (
      requestTimeoutMs(req.headers['x-request-timeout'], this.requestTimeoutMs) ??
      this.requestTimeoutMs
    );
  }

  private refuse(
    req: IncomingMessage,
    res: ServerResponse,
    gate: AdmissionGate,
    code: 'CONCURRENCY_LIMITED' | 'SERVER_OVERLOADED',
  ): void {
    if (res.destroyed || res.headersSent) return;
    // The most common 503s under overload: on the status page's errors by code with the rest.
    this.problems?.record(code);
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const path = pathAsSent(req.url ?? '/');
    const body = `{"instance":${JSON.stringify(path)},"requestId":"${requestId}",${this.body(code, gate.limit)}`;
    const headers: Record<string, string | number> = {
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      'retry-after': '1',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-request-id': requestId,
    };
    if (gate.sustained) headers.connection = 'close';
    res.writeHead(503, headers);
    res.end(body);
  }

  /** The problem's fixed part, without its opening brace, serialised once per code and limit. */
  private body(code: 'CONCURRENCY_LIMITED' | 'SERVER_OVERLOADED', limit: number): string {
    const key = code === 'SERVER_OVERLOADED' ? code : `${code}:${limit}`;
    let body = this.bodies.get(key);
    if (body === undefined) {
      const error =
        code === 'SERVER_OVERLOADED'
          ? new ServerOverloadedError()
          : new ConcurrencyLimitedError(limit);
      body = JSON.stringify(buildProblem(classifyError(error), {})).slice(1);
      if (this.bodies.size > 1_000) this.bodies.clear();
      this.bodies.set(key, body);
    }
    return body;
  }
}
