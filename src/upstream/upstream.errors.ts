import { AppError, hasCode } from '../errors/app.error.js';

/**
 * The backend answered 5xx (its failure) or 429 (backpressure: the caller's rate limit there,
 * which the breaker does not count). Maps to 502: the problem is upstream, not in the caller's
 * request.
 */
export class UpstreamStatusError extends AppError {
  constructor(
    readonly backend: string,
    /** The status the backend answered. */
    readonly upstreamStatus: number,
    /** The backend's Retry-After, in ms, when it sent one (retry honours it). */
    readonly retryAfterMs: number | undefined,
    /** The backend's answer (often its own problem+json), for callers that show it. */
    readonly upstreamBody?: string,
  ) {
    super('UPSTREAM_BAD_STATUS', 502, `Backend ${backend} answered ${upstreamStatus}.`, {
      extensions: { backend, upstreamStatus },
    });
  }

  /**
   * A 504 the backend gave once the deadline this call forwarded (shorter than its
   * UPSTREAM_TIMEOUT_MS) ran out there, before half of UPSTREAM_TIMEOUT_MS: the caller's time
   * ended, not the backend's health.
   * Set by BackendPolicy; the breaker does not count it (one client's short deadlines opened it
   * for every client).
   */
  deadlineForwarded = false;
}

/**
 * The backend could not be reached, or dropped the connection before a byte of its answer
 * (refused, reset, DNS, connect timeout).
 */
export class UpstreamUnreachableError extends AppError {
  constructor(
    readonly backend: string,
    /** The socket or undici error code (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, ...). */
    readonly networkCode: string,
    cause?: unknown,
  ) {
    super('UPSTREAM_UNREACHABLE', 502, `Backend ${backend} is unreachable (${networkCode}).`, {
      extensions: { backend },
      cause,
    });
  }
}

/**
 * The backend's answer could not be used: body over the size limit, not valid HTTP, or cut short
 * (the connection closed or was reset once the answer had begun, before the whole of it).
 */
export class UpstreamBadResponseError extends AppError {
  constructor(
    backend: string,
    reason: string,
    /**
     * The connection broke mid-answer, as it does when the backend dies while answering: a retry
     * may meet a whole one (retry.decision.ts), where a malformed answer would come back as it is.
     */
    readonly cutShort = false,
    cause?: unknown,
  ) {
    super('UPSTREAM_BAD_RESPONSE', 502, `Backend ${backend} sent an unusable answer: ${reason}.`, {
      extensions: { backend },
      cause,
    });
  }
}

/**
 * The attempt was aborted by the timeout policy: after UPSTREAM_TIMEOUT_MS, or earlier when the
 * request's own deadline left less time (the timeout is never longer than the deadline).
 */
export class UpstreamTimeoutError extends AppError {
  constructor(
    readonly backend: string,
    readonly afterMs: number,
    /**
     * The caller's deadline ended the attempt before the backend had its UPSTREAM_TIMEOUT_MS,
     * and before half of it: the caller's doing, so the breaker does not count it. A client
     * sending `x-request-timeout: 80ms` to a backend that answers in 100 ms would otherwise open
     * the circuit for every client. (An attempt cut later counts, and so does one whose client
     * disconnected after as long: BackendPolicy.cutEarly.)
     */
    readonly cutByDeadline = false,
  ) {
    super('UPSTREAM_TIMEOUT', 504, `Backend ${backend} did not answer within ${afterMs} ms.`, {
      extensions: { backend },
    });
  }
}

export const isUpstreamStatusError = (e: unknown): e is UpstreamStatusError =>
  hasCode(e, 'UPSTREAM_BAD_STATUS');
export const isUpstreamUnreachableError = (e: unknown): e is UpstreamUnreachableError =>
  hasCode(e, 'UPSTREAM_UNREACHABLE');
export const isUpstreamTimeoutError = (e: unknown): e is UpstreamTimeoutError =>
  hasCode(e, 'UPSTREAM_TIMEOUT');
export const isUpstreamBadResponseError = (e: unknown): e is UpstreamBadResponseError =>
  hasCode(e, 'UPSTREAM_BAD_RESPONSE');
