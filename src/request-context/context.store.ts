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

/**
 * A context holding the request in a field and every other key in `rest`: the same immutable
 * Context as `rest.setValue(REQUEST_CONTEXT, request)`, made without the API's BaseContext,
 * which copies its parent's Map and makes three closures per context. Every request makes one
 * (context.store.bench.ts: ns per request both ways); keys set later (the server span, a
 * client span) go to `rest`, so a read of them costs one call more.
 */
class RequestScopedContext implements Context {
  constructor(
    readonly rest: Context,
    readonly request: RequestContext,
  ) {}

  getValue(key: symbol): unknown {
    return key === REQUEST_CONTEXT ? this.request : this.rest.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return key === REQUEST_CONTEXT
      ? new RequestScopedContext(this.rest, value as RequestContext)
      : new RequestScopedContext(this.rest.setValue(key, value), this.request);
  }

  deleteValue(key: symbol): Context {
    return key === REQUEST_CONTEXT
      ? this.rest
      : new RequestScopedContext(this.rest.deleteValue(key), this.request);
  }
}

/** The context a request's work runs in: `parent` (the span's, or root) plus the request. */
export function contextWithRequest(parent: Context, request: RequestContext): Context {
  return new RequestScopedContext(
    parent instanceof RequestScopedContext ? parent.rest : parent,
    request,
  );
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
