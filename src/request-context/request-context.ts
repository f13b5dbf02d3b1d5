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
  /**
   * The request's place in admission's concurrency limit (admission/admission.slot.ts), absent
   * with admission off and for probes. Parked, the request lends its place to the next one: for
   * waits on work done for it elsewhere (RequestContextService.parkedWhile).
   */
  readonly admission?: Parkable;
}

/** A place that can be lent out while its request waits without working. */
export interface Parkable {
  park(): void;
  unpark(): void;
}

/** For work outside any request (start-up, migrations): a signal that never aborts. */
export const NEVER_ABORTS: AbortSignal = new AbortController().signal;
