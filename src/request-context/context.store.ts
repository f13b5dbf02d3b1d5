import { AsyncResource } from 'node:async_hooks';
import { createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { RequestContext } from './request-context.js';

/**
 * OpenTelemetry's AsyncLocalStorage context manager, with one more way in: a request's first
 * hook enters the request's context from outside any.
 */
export class RequestContextManager extends AsyncLocalStorageContextManager {
  /** No async context at all: made as the module loads, before any store holds a value. */
  private readonly outside = new AsyncResource('rampart.request');

  /**
   * Runs `fn` in `context`, entered from no async context: for a request's first hook, whose
   * context starts from ROOT_CONTEXT whatever is active (a socket's callback has none). `with`
   * would run AsyncLocalStorage.run, which in Node 24 makes two frames (Maps): one entering, and
   * one more copying it to restore the value before (async_context_frame.js). Here the resource
   * restores the frame before as it was, and `attach` enters the context in the one new frame:
   * 211 against 679 ns a request (context.store.bench.ts). Any other store's value in the frame
   * before is not carried in, which is why this is for a request's start only.
   */
  enterRequest<T>(context: Context, fn: () => T): T {
    return this.outside.runInAsyncScope(() => {
      this.attach(context);
      return fn();
    });
  }
}

/**
 * The one AsyncLocalStorage of the process: OpenTelemetry's context manager, with the request's
 * state as a key of the context it carries. The telemetry SDK registers this instance as the
 * global context manager (telemetry/telemetry.sdk.ts), so spans, log correlation and
 * RequestContextService all read the same frame; with tracing off it still carries the request
 * state. Why one store and this shape: docs/ARCHITECTURE.md, and context.store.bench.ts.
 */
export const contextStore = new RequestContextManager();

const REQUEST_CONTEXT = createContextKey('rampart.request');

/**
 * A context holding the request in a field, one more key in a second field (on a request's
 * path, the server span that trace.setSpan adds), and every other key in `rest`: the same
 * immutable Context as `rest.setValue(REQUEST_CONTEXT, request).setValue(key, value)`, made
 * without the API's BaseContext, which copies its parent's Map and makes three closures per
 * context. Every request makes one, and a traced one (sampled or not) a second
 * (context.store.bench.ts: ns per request each way). A client span replaces the held server span
 * (the same key); other keys set after the held one go to `rest`, a read of them one call more.
 */
class RequestScopedContext implements Context {
  constructor(
    readonly rest: Context,
    readonly request: RequestContext,
    /** The one key held here rather than in `rest` (undefined: none yet); read before `rest`. */
    readonly heldKey: symbol | undefined = undefined,
    readonly heldValue: unknown = undefined,
  ) {}

  getValue(key: symbol): unknown {
    if (key === REQUEST_CONTEXT) return this.request;
    return key === this.heldKey ? this.heldValue : this.rest.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    if (key === REQUEST_CONTEXT) return this.with(this.rest, value as RequestContext);
    if (this.heldKey === undefined || key === this.heldKey) {
      return new RequestScopedContext(this.rest, this.request, key, value);
    }
    return this.with(this.rest.setValue(key, value));
  }

  deleteValue(key: symbol): Context {
    // Without the request it is an ordinary context again: the held key goes back to `rest`.
    if (key === REQUEST_CONTEXT) return this.withoutRequest();
    if (key === this.heldKey)
      return new RequestScopedContext(this.rest.deleteValue(key), this.request);
    return this.with(this.rest.deleteValue(key));
  }

  /** The same held key and value over another `rest`, for this request or another. */
  private with(rest: Context, request: RequestContext = this.request): Context {
    return new RequestScopedContext(rest, request, this.heldKey, this.heldValue);
  }

  /** Every key but the request, in the API's own context. */
  private withoutRequest(): Context {
    return this.heldKey === undefined
      ? this.rest
      : this.rest.setValue(this.heldKey, this.heldValue);
  }
}

/** The context a request's work runs in: `parent` (the span's, or root) plus the request. */
export function contextWithRequest(parent: Context, request: RequestContext): Context {
  // Over another request's context, its setValue replaces the request and keeps the rest.
  return parent instanceof RequestScopedContext
    ? parent.setValue(REQUEST_CONTEXT, request)
    : new RequestScopedContext(parent, request);
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

/** The active context, for `runInContext`: work queued now that another continuation will run. */
export function activeContext(): Context {
  return contextStore.active();
}

/**
 * Runs `fn` in `context`, one `activeContext` returned: queued work runs as part of the request
 * that queued it, not of whichever continuation happens to pick it up.
 */
export function runInContext<T>(context: Context, fn: () => T): T {
  return contextStore.with(context, fn);
}

/** Runs `fn` outside any request, keeping the active span (work shared by several requests). */
export function runOutsideRequest<T>(fn: () => T): T {
  const active = contextStore.active();
  return active === ROOT_CONTEXT
    ? fn()
    : contextStore.with(active.deleteValue(REQUEST_CONTEXT), fn);
}

/**
 * Runs `fn` in no request and no span: background work a request merely set off (the database
 * breaker's probes), whose timers, log lines and spans must not carry that request's ids.
 */
export function runDetached<T>(fn: () => T): T {
  return contextStore.with(ROOT_CONTEXT, fn);
}
