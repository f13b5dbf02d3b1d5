import {
  isUpstreamBadResponseError,
  isUpstreamStatusError,
  isUpstreamUnreachableError,
} from './upstream.errors.js';

/** What the retry policy needs to know about the attempt that just failed. */
export interface AttemptInfo {
  /** 0 for the original call, n for the n-th retry (cockatiel's `attempt`). */
  readonly index: number;
  readonly idempotent: boolean;
  /** Epoch ms after which no attempt may run (the request's deadline less the margin). */
  readonly stopAt: number;
  /** Set by the retry filter when it grants a retry; read by the backoff. */
  retryDelayMs?: number;
}

/**
 * Attempt facts keyed by the error the attempt threw. cockatiel's retry filter sees only the
 * error, and the policy is shared by every call to a backend, so per-call facts travel this way.
 * Errors the breaker or bulkhead throw are never tagged, hence never retried.
 */
const attempts = new WeakMap<object, AttemptInfo>();

export function tagAttempt(error: unknown, info: AttemptInfo): void {
  if (typeof error === 'object' && error !== null) attempts.set(error, info);
}

export function attemptOf(error: unknown): AttemptInfo | undefined {
  return typeof error === 'object' && error !== null ? attempts.get(error) : undefined;
}

/** 502/503/504 mean "not processed, try again"; 429 is backpressure with a Retry-After. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Connection errors (before the answer, or cutting it short) and 502/503/504/429 answers; never
 * timeouts (the time is spent).
 */
export function isRetryableFailure(error: unknown): boolean {
  if (isUpstreamUnreachableError(error)) return true;
  if (isUpstreamBadResponseError(error)) return error.cutShort;
  return isUpstreamStatusError(error) && RETRYABLE_STATUSES.has(error.upstreamStatus);
}

export interface BackoffOptions {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time an attempt needs at least; a retry that cannot get it is not made. */
  minAttemptMs: number;
  now: number;
  random?: () => number;
}

/**
 * Decides whether the failed attempt may be retried and after how long, budget aside:
 * retryable failure, idempotent call, retries left, and backoff + one attempt fit before
 * `stopAt`. The wait is full jitter, random(0, min(max, base · 2^n)) (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), or the backend's Retry-After when that is longer.
 * Returns the delay in ms, or undefined for "do not retry".
 */
export function retryDelayMs(
  error: unknown,
  info: AttemptInfo,
  o: BackoffOptions,
): number | undefined {
  if (!info.idempotent || info.index >= o.maxRetries || !isRetryableFailure(error))
    return undefined;
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** info.index);
  const jitter = Math.floor((o.random ?? Math.random)() * ceiling);
  const retryAfter = isUpstreamStatusError(error) ? (error.retryAfterMs ?? 0) : 0;
  const delay = Math.max(jitter, retryAfter);
  return o.now + delay + o.minAttemptMs <= info.stopAt ? delay : undefined;
}

/**
 * Reads Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent
 * or unreadable; never negative.
 */
export function parseRetryAfterMs(
  header: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  if (/^\d+$/.test(header)) return Number(header) * 1_000;
  // HTTP-dates start with the day name; without this Date.parse reads "1.5" as a date.
  if (!/^[A-Za-z]{3}/.test(header)) return undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
