import { trace, isSpanContextValid } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathAsSent } from './client-text.js';
import { buildProblem, classifyError, PROBLEM_CONTENT_TYPE } from './problem.js';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';

const log = logger.child({ module: 'errors' });
/**
 * One warn line a second per code for expected failures: under a database outage or an overload
 * every request fails the same way, and a line each (1,100 DB_POOL_TIMEOUT warnings in one burst)
 * doubled the log volume with nothing new; each request still has its access line and its
 * answer's code, and the lines written carry how many were left out. Per process, like the log
 * stream it protects; the codes are a fixed set.
 */
const expectedFailureLines = new Map<string, LogThrottle>();
const EXPECTED_FAILURE_LINE_MS = 1_000;

/**
 * The one place an error becomes an HTTP answer: problem+json, stable code, request and trace
 * ids, Retry-After when the error carries one. 5xx are logged with their stack; 4xx are not noise.
 */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown): void {
  // Answered already: the deadline's 504 went out while a handler that ignored the signal ran
  // on, and its own failure came later. That answer was counted and logged; this one was
  // counted and logged a second time (two warnings per request, ~250 ms apart).
  if (reply.sent) return;
  const classified = classifyError(error, {
    bodyLimit: reply.server.initialConfig.bodyLimit,
    method: request.method,
    noContent:
      request.headers['transfer-encoding'] === undefined &&
      !(Number(request.headers['content-length']) > 0),
  });
  reply.server.problemCounts?.record(classified.code);
  const spanContext = trace.getActiveSpan()?.spanContext();
  const traceId = spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  if (classified.code === 'NOT_READY') {
    // A failed probe repeats every probe period; ReadinessService logs the change of state once.
    log.debug({ reqId: request.id, code: classified.code }, classified.detail);
  } else if (classified.status >= 500 && !classified.error) {
    log.error({ err: error, reqId: request.id, code: classified.code }, 'request failed');
  } else if (classified.status >= 500 && !classified.error?.quiet) {
    // Expected, coded failures (deadline, pool timeout, open breaker): no stack, no alarm.
    let throttle = expectedFailureLines.get(classified.code);
    if (!throttle) {
      throttle = new LogThrottle(EXPECTED_FAILURE_LINE_MS);
      expectedFailureLines.set(classified.code, throttle);
    }
    const line = throttle.take();
    if (line) log.warn({ reqId: request.id, code: classified.code, ...line }, classified.detail);
  } else {
    log.debug({ reqId: request.id, code: classified.code }, classified.detail);
  }
  // The client is gone: nobody reads an answer, the socket is already closing. (A 499 asked of
  // GET /status/499 is answered like any other.)
  if (reply.raw.destroyed || classified.code === 'CLIENT_CLOSED_REQUEST') return;
  const problem = buildProblem(classified, {
    requestId: request.id,
    traceId,
    // The path as the client sent it (`url` is after the public listener's rewriteUrl), without
    // an absolute-form target's scheme and authority: its userinfo may be a password.
    instance: pathAsSent(request.originalUrl),
  });
  reply.header('x-request-id', request.id);
  // An error describes this attempt, not the resource: never stored. Some statuses are cacheable
  // by default (404, 405, 410, 414, 501: RFC 9111 §4.2.2), and a 404'd item may exist a moment on.
  reply.header('cache-control', 'no-store');
  // The body may quote what the client sent (a path, a header): never to be read as a page.
  reply.header('x-content-type-options', 'nosniff');
  if (classified.error?.headers) reply.headers(classified.error.headers);
  if (classified.error?.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(classified.error.retryAfterSeconds));
  }
  reply.code(classified.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
