import { createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { RequestContext } from './request-context.js';

/**
 * The one AsyncLocalStorage of the process: OpenTelemetry's context manager, with the request's
 * state as a key of the context it carries. The telemetry SDK registers this instance as the
 * global context manager (telemetry/telemetry.sdk.ts), so spans, log correlation and
 * RequestContextService all read the same frame; with tracing off it still carries the request
 * state. Why one store and this shape: docs/ARCHITECTURE.md, and context.store.bench.ts.
 */
export const contextStore = new AsyncLocalStorageContextManager();

const REQUEST_CONTEXT = createContextKey('rampart.request');

/** The context a request's work runs in: `parent` (the span's, or root) plus the request. */
export function contextWithRequest(parent: Context, request: RequestContext): Context {
  return parent.setValue(REQUEST_CONTEXT, request);
}

export function requestContextOf(context: Context): RequestContext | undefined {
  return context.getValue(REQUEST_CONTEXT) as RequestContext | undefined;
}

/** The request the current code serves, if any. */
export function currentRequest(): RequestContext | undefined {
  return contextStore.active().getValue(REQUEST_CONTEXT) as RequestContext | undefined;
}

/** Runs `fn` as part of `request` (tests, and work started outside a hook). */
export function runInRequest<T>(request: RequestContext, fn: () => T): T {
  return contextStore.with(contextWithRequest(contextStore.active(), request), fn);
}

/** Runs `fn` outside any request, keeping the active span (work shared by several requests). */
export function runOutsideRequest<T>(fn: () => T): T {
  const active = contextStore.active();
  return active === ROOT_CONTEXT
    ? fn()
    : contextStore.with(active.deleteValue(REQUEST_CONTEXT), fn);
}
