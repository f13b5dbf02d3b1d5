import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError } from '../errors/http.errors.js';
import { sendProblem } from '../errors/problem.reply.js';
import { inFlightRequests } from '../lifecycle/in-flight.registry.js';
import { requestTimeoutMs } from './duration.js';
import { requestContextStorage, type RequestContext } from './request-context.js';
import { ClientClosedError, DeadlineExceededError } from './request-context.errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    rampartContext?: RequestContext;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Honours a sane incoming `x-request-id`, otherwise makes one (used as Fastify's genReqId). */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Gives every public request its deadline and AbortSignal (Go's context.Context):
 * 1. deadline = min(REQUEST_TIMEOUT_MS, client's `x-request-timeout`) — a client may only lower it;
 * 2. the signal aborts at the deadline (reason DeadlineExceededError → 504) or when the client
 *    disconnects before the response finished (reason ClientClosedError);
 * 3. the handler runs inside AsyncLocalStorage so RequestContextService finds it anywhere.
 * A handler that ignores the signal still gets a 504 sent for it at the deadline.
 */
export function registerRequestContext(
  app: FastifyInstance,
  defaultTimeoutMs: number,
  onBodyTimeout: () => void = () => undefined,
): void {
  // Declared up front so every request object keeps one V8 hidden class; a property added per
  // request turns Fastify's hot objects polymorphic (Fastify docs: decorateRequest).
  app.decorateRequest('rampartContext', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const timeoutMs = requestTimeoutMs(request.headers['x-request-timeout'], defaultTimeoutMs);
    if (timeoutMs === undefined) {
      const problem = { field: 'x-request-timeout', message: 'expected ms or a duration (2s)' };
      // Answered here: a done-style hook that replies must not call done().
      sendProblem(reply, request, new InvalidInputError([problem], 'INVALID_REQUEST_TIMEOUT'));
      return;
    }
    const startedAt = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(
      () => onDeadline(request, reply, controller, timeoutMs, onBodyTimeout),
      timeoutMs,
    );
    const context = {
      requestId: request.id,
      deadline: startedAt + timeoutMs,
      signal: controller.signal,
      startedAt,
      method: request.method,
      url: request.url,
    };
    request.rampartContext = context;
    inFlightRequests.add(context);
    // `on`, not `once`: 'close' fires once, and once() wraps the listener (~180 B a request).
    reply.raw.on('close', () => {
      clearTimeout(timer);
      inFlightRequests.delete(context);
      if (!reply.raw.writableFinished) controller.abort(new ClientClosedError());
    });
    done();
  });

  // preHandler, not onRequest: body parsing resumes in the socket's async context, so the store
  // must be entered again right before the handler (same trick as @fastify/request-context).
  app.addHook('preHandler', (request, _reply, done) => {
    const ctx = request.rampartContext;
    if (ctx) requestContextStorage.run(ctx, done);
    else done();
  });
}

function onDeadline(
  request: FastifyRequest,
  reply: FastifyReply,
  controller: AbortController,
  timeoutMs: number,
  onBodyTimeout: () => void,
): void {
  const reason = new DeadlineExceededError(timeoutMs);
  controller.abort(reason);
  // Cooperative handlers reject on the abort and answer 504 themselves within a few microtasks;
  // this covers a handler stuck on something that ignores the signal.
  setImmediate(() => {
    if (reply.sent || reply.raw.headersSent) return;
    // The body is still arriving: answer, then close. Kept alive, Node would go on reading the
    // rest of a trickled body for as long as the client cares to send it (http/socket-timeouts.ts).
    if (!request.raw.complete) {
      reply.header('connection', 'close');
      onBodyTimeout();
    }
    sendProblem(reply, request, reason);
  });
}
