/**
 * What code below the HTTP layer may know about the request it serves — the Node form of Go's
 * context.Context. `signal` fires on deadline or client disconnect; its `reason` says which.
 */
export interface RequestContext {
  readonly requestId: string;
  /** Epoch ms after which the request has failed with REQUEST_DEADLINE_EXCEEDED. */
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly startedAt: number;
}

/** For work outside any request (start-up, migrations): a signal that never aborts. */
export const NEVER_ABORTS: AbortSignal = new AbortController().signal;
