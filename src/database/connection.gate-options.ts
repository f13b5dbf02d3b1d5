/** The ConnectionGate's settings (connection.gate.ts). */
export interface GateOptions {
  /** Holders at once (DB_POOL_MAX; 1 for PGlite). */
  max: number;
  /** Waiters at once (DB_POOL_QUEUE_MAX); one more is refused with DB_QUEUE_FULL. */
  queueMax: number;
  /** CoDel interval: a queue that has not emptied for this long is a standing queue. */
  intervalMs: number;
  /**
   * The cap on the CoDel target (DB_POOL_QUEUE_TARGET_MS): callers that arrive while the queue
   * stands wait two holds, at least 5 ms and at most this (connection.standing.ts, targetMs).
   */
  targetMs: number;
  /** Clock in epoch ms (the unit of request deadlines); injectable for specs. */
  now?: () => number;
}

/** One caller's bounds on its wait for a slot. */
export interface AcquireOptions {
  signal: AbortSignal;
  /** The cap on any wait (DB_POOL_ACQUIRE_TIMEOUT_MS). */
  timeoutMs: number;
  /** Epoch ms at which the caller's request fails anyway; absent = only the cap bounds it. */
  deadline?: number;
}
