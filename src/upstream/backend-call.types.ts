// What passes between a BackendPolicy (backend.policy.ts) and the two sides it sits between:
// its callers (upstream.service.ts) describe calls and receive attempts; its builder
// (upstream.policies.ts) hands it settings and the hooks its events go to.

/** One call as its caller describes it. */
export interface CallOptions {
  /** Safe to send twice (RFC 9110 §9.2.2); only such calls are retried. */
  idempotent: boolean;
  /** The caller's signal (the request's: deadline or client gone). */
  signal: AbortSignal;
  /** The caller's deadline, epoch ms (Infinity outside a request). */
  deadline: number;
}

/** What one attempt gets to send its request with. */
export interface AttemptContext {
  /** Aborts on the attempt timeout, the deadline, or the caller's abort: pass it to undici. */
  signal: AbortSignal;
  /** 0 for the original call, n for the n-th retry. */
  attempt: number;
  /** The deadline to forward in `x-request-timeout`, already less the margin. */
  downstreamTimeoutMs: number;
}

/** Final outcome labels of `upstream_calls_total`. */
export type CallOutcome =
  'ok' | 'circuit_open' | 'bulkhead_full' | 'timeout' | 'cancelled' | 'failed';

export interface PolicySettings {
  timeoutMs: number;
  marginMs: number;
  halfOpenAfterMs: number;
}

export interface PolicyHooks {
  /** A call ended in UPSTREAM_TIMEOUT (attempt timeout or deadline reached while waiting). */
  onTimeout(afterMs: number): void;
  onOutcome(outcome: CallOutcome, error?: unknown): void;
  /** Every original call: feeds the retry budget. */
  onCall(): void;
}
