import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { slotOf } from '../admission/admission.slot.js';
import type { AppConfig } from '../config/config.schema.js';
import type { HttpServerMetrics } from '../metrics/http-server.metrics.js';
import type { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { serverSpans } from '../telemetry/server-span.hooks.js';
import { AccessLog } from './access.log.js';
import { registerRequestState } from './request-state.hook.js';

const isStream = (payload: unknown): boolean =>
  typeof (payload as { pipe?: unknown } | null)?.pipe === 'function';

/** The status recorded for a request whose client closed the connection before its answer. */
const CLIENT_CLOSED = 499;

export interface HttpHookDeps {
  config: AppConfig;
  isDraining: () => boolean;
  inFlight: InFlightRegistry;
  metrics: HttpServerMetrics;
  /** Called when a deadline closes the connection (protocol/socket-timeouts.ts). */
  onTimeout: (phase: 'body' | 'send') => void;
}

/** What app.factory.ts hands the public adapter (public.adapter.ts) for requests no hook meets. */
export interface PublicHooks {
  /** The request-state hook, for the requests Nest's adapter answers before it. */
  requestState: onRequestHookHandler;
  /**
   * Answers a request Fastify hands to `frameworkErrors` (a target its router cannot read), with
   * a request of its own that meets no hook, inside the request's state and context, and gives
   * it the onSend and onResponse records every other answer has: without them such a 400 left
   * with no trace id, access line, histogram sample or server span.
   */
  outsideHooks: (request: FastifyRequest, reply: FastifyReply, answer: () => void) => void;
}

/**
 * rampart's hooks on the public listener, in the order a request meets them (admission comes
 * before all of them, at the raw request listener: admission/admission.listener.ts; the whole
 * list, Fastify's and Nest's included, is in docs/ARCHITECTURE.md):
 * 1. onRequest: the request's state — id, route, probe flag, deadline, signal, server span —
 *    and its context, entered once (request-state.hook.ts);
 *    then, registered by app.factory.ts after these: process chaos (chaos/process-chaos.hooks.ts,
 *    also an onSend), request chaos (chaos/chaos.hook.ts), the protocol checks
 *    (protocol/protocol.hook.ts) and rate limiting (rate-limit.hook.ts);
 * 2. onSend: `Connection: close` while draining, so clients move to another pod; the request's
 *    admission slot freed (the answer is made);
 * 3. onResponse, once the response is written, in one hook: the server span's end, the request
 *    duration histogram (metrics/http-server.metrics.ts) and the access line (access.log.ts);
 *    a request whose client went first gets the last two from its close, as status 499.
 * Returns the request-state hook and the same records for a request no hook meets (PublicHooks).
 */
export function registerHttpHooks(app: FastifyInstance, deps: HttpHookDeps): PublicHooks {
  const spans = serverSpans(deps.config.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS);
  const { METRICS_ENABLED: metricsOn, ACCESS_LOG_ENABLED: accessLogged } = deps.config;
  const metrics = metricsOn ? deps.metrics : undefined;
  const accessLog = accessLogged ? new AccessLog(deps.config.OTEL_SERVICE_NAME) : undefined;
  /** The duration histogram and the access line of one request, answered or abandoned. */
  const record = (request: FastifyRequest, statusCode: number, sinceOnRequestMs: number): void => {
    const state = request.requestState;
    const route = state?.route ?? 'unmatched';
    // Fastify's elapsedTime starts at its onRequest: a wait in the admission queue came before.
    const elapsedMs = sinceOnRequestMs + (slotOf(request.raw)?.queuedMs ?? 0);
    metrics?.record(route, request.method, statusCode, elapsedMs);
    // Probes every few seconds per pod would drown the log; they are logged at debug.
    accessLog?.write(request, route, statusCode, elapsedMs, state?.probe === true);
  };
  /** An answered request's records: its span ended with its status, then `record`. */
  const answered = (request: FastifyRequest, statusCode: number, elapsedMs: number): void => {
    const span = request.requestState?.span;
    if (span) spans?.end(span, statusCode);
    record(request, statusCode, elapsedMs);
  };
  const requestState = registerRequestState(app, {
    defaultTimeoutMs: deps.config.REQUEST_TIMEOUT_MS,
    inFlight: deps.inFlight,
    spans,
    onTimeout: deps.onTimeout,
    // onResponse never runs for it: the request is counted and logged as 499 (nginx's "client
    // closed request"), so a slow backend that makes clients give up shows in both.
    onAbandoned: (request, reply) => record(request, CLIENT_CLOSED, reply.elapsedTime),
  });

  const outsideHooks: PublicHooks['outsideHooks'] = (request, reply, answer) => {
    // Fastify's reply.elapsedTime counts from its route handler, which this request never meets.
    const startedAt = performance.now();
    reply.raw.once('finish', () =>
      answered(request, reply.statusCode, performance.now() - startedAt),
    );
    if (deps.isDraining()) reply.header('connection', 'close');
    requestState.call(app, request, reply, answer);
  };

  app.addHook('onSend', (request, reply, payload, done) => {
    if (deps.isDraining()) reply.header('connection', 'close');
    // The answer is made: its admission slot is free from now, not from when the client has read
    // it. Held to the response's close, a client that stops reading (or pipelines requests
    // behind an answer it never reads) held slots until its deadline, and a few such
    // connections refused every other client. A streamed answer holds its slot until it ends.
    if (!isStream(payload)) slotOf(request.raw)?.release(true);
    done(null, payload);
  });

  // One hook for all three: each is on every request's path, and all need the status.
  if (!spans && !metrics && !accessLog) return { requestState, outsideHooks };
  app.addHook('onResponse', (request, reply, done) => {
    // Fastify computes both on each read (getters): each read once.
    answered(request, reply.statusCode, reply.elapsedTime);
    done();
  });
  return { requestState, outsideHooks };
}
