import { ROOT_CONTEXT } from '@opentelemetry/api';
import { slotOf } from '../admission/admission.slot.js';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { InvalidInputError } from '../errors/http.errors.js';
import { sendProblem } from '../errors/problem.reply.js';
import { PROBE_PATHS } from '../health/health.paths.js';
import { repeated } from '../protocol/raw-headers.js';
import { contextStore, contextWithRequest } from '../request-context/context.store.js';
import { DeadlineQueue } from '../request-context/deadline.queue.js';
import { requestTimeoutMs } from '../request-context/duration.js';
import type { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { PublicRequestState } from '../request-context/request-state.js';
import type { ServerSpans } from '../telemetry/server-span.hooks.js';
import {
  ClientClosedError,
  DeadlineExceededError,
  RequestBodyTimeoutError,
} from './request.errors.js';

export interface RequestStateDeps {
  /** REQUEST_TIMEOUT_MS: the longest any request may take. */
  defaultTimeoutMs: number;
  inFlight: InFlightRegistry;
  /** Undefined when tracing is off (OTEL_SDK_DISABLED). */
  spans: ServerSpans | undefined;
  /**
   * Called when a deadline closes the connection (protocol/socket-timeouts.ts): `body`, still
   * arriving; `send`, the answer made but not taken by the client.
   */
  onTimeout: (phase: 'body' | 'send') => void;
  /** The connection closed before the response was written: the client gave up (http.hooks.ts). */
  onAbandoned?: (request: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * rampart's first hook on the public listener (after only the Nest adapter's own): makes the
 * request's one RequestState and gives the request its deadline and AbortSignal (Go's
 * context.Context):
 * 1. route and probe flag, decided once for every later reader;
 * 2. deadline = min(REQUEST_TIMEOUT_MS, client's `x-request-timeout`) — a client may only lower it;
 *    an unusable header is answered 400; a probe's is REQUEST_TIMEOUT_MS, its header unread;
 * 3. the server span when traced (telemetry/server-span.hooks.ts; never for probes);
 * 4. the signal aborts at the deadline (reason DeadlineExceededError → 504, or 408 when the body
 *    is still arriving then) or when the client disconnects before the response finished
 *    (reason ClientClosedError);
 * 5. one `close` listener does all the close-time work: timer, in-flight registry, and for a
 *    request the client gave up on, its span, its signal and its access line and metric;
 * 6. the request's context is entered once, here, for every later hook and the handler. A body
 *    that ends later, in the socket's async context, changes nothing: Fastify runs the parser's
 *    `done` in the request's async scope (an AsyncResource in its content-type-parser.js), so no
 *    hook re-enters it (protocol/json.body-parser.spec.ts holds that to a late body).
 * A handler that ignores the signal still gets a 504 sent for it at the deadline.
 * Returns the hook: a request Nest's adapter sends to the not-found handler before this hook
 * runs gets its state there from the same function (public.adapter.ts).
 */
export function registerRequestState(
  app: FastifyInstance,
  deps: RequestStateDeps,
): onRequestHookHandler {
  const { defaultTimeoutMs, inFlight, spans, onTimeout, onAbandoned } = deps;
  const deadlines = new DeadlineQueue(defaultTimeoutMs);
  // Declared up front so every request object keeps one V8 hidden class; a property added per
  // request turns Fastify's hot objects polymorphic (Fastify docs: decorateRequest).
  app.decorateRequest('requestState', null);

  const hook: onRequestHookHandler = (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // Fastify's routeOptions getter builds a twelve-field object per read: read it once here.
    const route = request.routeOptions.url;
    const probe = route !== undefined && PROBE_PATHS.has(route);
    // A probe never reads x-request-timeout: the kubelet sends none, a probe must not fail on a
    // header, and the probe port (health/probe.worker.ts) never read it.
    const timeoutMs = probe
      ? defaultTimeoutMs
      : requestTimeoutMs(request.headers['x-request-timeout'], defaultTimeoutMs);
    // The request's time counts from its arrival: a wait in the admission queue is part of it,
    // else a 500 ms deadline answered at 900 ms, and its duration and access line left it out.
    const admission = slotOf(request.raw);
    const queuedMs = admission?.queuedMs ?? 0;
    const startedAt = Date.now() - queuedMs;
    const controller = new AbortController();
    const state = new PublicRequestState(
      {
        requestId: request.id,
        method: request.method,
        url: request.url,
        route,
        probe,
        startedAt,
        deadline: startedAt + (timeoutMs ?? defaultTimeoutMs),
        admission,
      },
      controller,
    );
    state.context = contextWithRequest(ROOT_CONTEXT, state);
    spans?.start(request, state);
    request.requestState = state;
    inFlight.add(state);
    const timer =
      timeoutMs === undefined
        ? undefined
        : deadlines.start(Math.max(0, timeoutMs - queuedMs), () =>
            onDeadline(request, reply, controller, timeoutMs, onTimeout),
          );
    const onClose = (): void => {
      if (timer !== undefined) deadlines.cancel(timer);
      inFlight.delete(state);
      if (reply.raw.writableFinished) return;
      if (state.span) spans?.abandon(state.span);
      controller.abort(new ClientClosedError());
      onAbandoned?.(request, reply);
    };
    // One `close` listener per response: an admitted one already has admission's, which runs
    // this after releasing the slot. `on`, not `once`: 'close' fires once, and once() wraps the
    // listener (~180 B a request).
    if (admission) admission.onClose = onClose;
    else reply.raw.on('close', onClose);
    if (timeoutMs === undefined) {
      // Node joins a repeated header's values ("100, 200"): said as such, not as a bad duration.
      const message = repeated(request.raw.rawHeaders, 'x-request-timeout')
        ? 'given more than once; send it once'
        : 'expected a whole number of milliseconds from 1, or a duration (150ms, 2s)';
      const problem = { field: 'x-request-timeout', message };
      // Answered here, inside the request's context: a done-style hook that replies must not
      // call done().
      contextStore.enterRequest(state.context, () =>
        sendProblem(reply, request, new InvalidInputError([problem], 'INVALID_REQUEST_TIMEOUT')),
      );
      return;
    }
    contextStore.enterRequest(state.context, done);
  };
  app.addHook('onRequest', hook);
  return hook;
}

function onDeadline(
  request: FastifyRequest,
  reply: FastifyReply,
  controller: AbortController,
  timeoutMs: number,
  onTimeout: (phase: 'body' | 'send') => void,
): void {
  const reason = new DeadlineExceededError(timeoutMs);
  controller.abort(reason);
  // Cooperative handlers reject on the abort and answer 504 themselves within a few microtasks;
  // this covers a handler stuck on something that ignores the signal.
  setImmediate(() => {
    if (reply.sent || reply.raw.headersSent) {
      cutUndelivered(reply, onTimeout);
      return;
    }
    // The body is still arriving: the client's delay, 408, then close. Kept alive, Node would go
    // on reading the rest of a trickled body for as long as the client cares to send it
    // (protocol/socket-timeouts.ts).
    if (!request.raw.complete) {
      reply.header('connection', 'close');
      onTimeout('body');
      sendProblem(reply, request, new RequestBodyTimeoutError(timeoutMs));
      return;
    }
    sendProblem(reply, request, reason);
  });
}

/**
 * The deadline covers delivering the answer too, as Go's `http.Server.WriteTimeout` does: an
 * answer the client has still not taken (bytes waiting in the socket's own buffer because the
 * kernel's is full) means a client that stopped reading. Its connection is closed; kept, it held
 * the socket and the answers pipelined behind this one for as long as the client liked
 * (`server.timeout` is 0: protocol/socket-timeouts.ts). An answer queued behind another on the
 * same connection (no socket yet) is left to that one's deadline.
 */
function cutUndelivered(reply: FastifyReply, onTimeout: (phase: 'send') => void): void {
  const socket = reply.raw.socket;
  if (reply.raw.writableFinished || !socket || socket.destroyed) return;
  if (socket.writableLength === 0) return;
  onTimeout('send');
  socket.destroy();
}
