import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Per-request state that every layer reaches without threading arguments — the Node form of Go's
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

/** The single store. Read through RequestContextService in Nest code. */
export const requestContextStorage = new AsyncLocalStorage<RequestContext>();
