import { AsyncLocalStorage } from 'node:async_hooks';
import { createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  contextStore,
  contextWithRequest,
  currentRequest,
  requestContextOf,
  runInRequest,
  runOutsideRequest,
} from './context.store.js';
import { NEVER_ABORTS, type RequestContext } from './request-context.js';

const request = (requestId: string): RequestContext => ({
  requestId,
  deadline: 1,
  signal: NEVER_ABORTS,
  startedAt: 0,
});

const span = trace.wrapSpanContext({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
});
const OTHER = createContextKey('spec.other');

// The request context is a Context of its own (not the API's BaseContext): it must keep the
// API's contract, immutability included, for every key the SDK and instrumentations set.
describe('contextWithRequest', () => {
  it('carries the request and every key set before or after it', () => {
    const a = request('a');
    const before = ROOT_CONTEXT.setValue(OTHER, 'kept');
    const ctx = trace.setSpan(contextWithRequest(before, a), span);

    expect(requestContextOf(ctx)).toBe(a);
    expect(trace.getSpan(ctx)).toBe(span);
    expect(ctx.getValue(OTHER)).toBe('kept');
    expect(requestContextOf(ROOT_CONTEXT)).toBeUndefined();
  });

  it('never changes a context it was made from (setValue and deleteValue return new ones)', () => {
    const a = request('a');
    const ctx = contextWithRequest(ROOT_CONTEXT, a);
    const traced = trace.setSpan(ctx, span);
    const without = traced.deleteValue(OTHER).setValue(OTHER, 1).deleteValue(OTHER);

    expect(trace.getSpan(ctx)).toBeUndefined();
    expect(trace.getSpan(traced)).toBe(span);
    expect(trace.getSpan(without)).toBe(span);
    expect(requestContextOf(without)).toBe(a);
    expect(without.getValue(OTHER)).toBeUndefined();
    expect(traced.getValue(OTHER)).toBeUndefined();
  });

  it('holds one key beside the request and keeps the contract for keys set before and after it', () => {
    const a = request('a');
    const older = trace.wrapSpanContext({ ...span.spanContext(), spanId: '00f067aa0ba902b7' });
    const THIRD = createContextKey('spec.third');
    // The parent's span sits in `rest`; the request's own span is held and shadows it.
    const ctx = trace.setSpan(contextWithRequest(trace.setSpan(ROOT_CONTEXT, older), a), span);
    const more = ctx.setValue(OTHER, 1).setValue(THIRD, 2);

    expect(trace.getSpan(more)).toBe(span);
    expect([more.getValue(OTHER), more.getValue(THIRD)]).toEqual([1, 2]);
    expect(ctx.getValue(OTHER)).toBeUndefined();
    // Replacing the held key, deleting it (the shadowed one goes too), deleting another key.
    expect(trace.getSpan(trace.setSpan(more, older))).toBe(older);
    const noSpan = trace.deleteSpan(more);
    expect(trace.getSpan(noSpan)).toBeUndefined();
    expect([noSpan.getValue(OTHER), requestContextOf(noSpan)]).toEqual([1, a]);
    expect(more.deleteValue(OTHER).getValue(OTHER)).toBeUndefined();
    expect(trace.getSpan(more.deleteValue(OTHER))).toBe(span);
    // A new request over it keeps the held key; dropping the request keeps every other key.
    const b = request('b');
    const next = contextWithRequest(more, b);
    expect([requestContextOf(next), trace.getSpan(next), next.getValue(THIRD)]).toEqual([
      b,
      span,
      2,
    ]);
    expect(trace.getSpan(runOutsideRequestOf(more))).toBe(span);
    expect(requestContextOf(runOutsideRequestOf(more))).toBeUndefined();
    expect(runOutsideRequestOf(more).getValue(THIRD)).toBe(2);
  });

  it('replaces the request of a request context instead of stacking a second one', () => {
    const a = request('a');
    const b = request('b');
    const ctx = contextWithRequest(trace.setSpan(contextWithRequest(ROOT_CONTEXT, a), span), b);

    expect(requestContextOf(ctx)).toBe(b);
    expect(trace.getSpan(ctx)).toBe(span);
    // Deleting the request leaves no older request behind it.
    const gone = runOutsideRequestOf(ctx);
    expect(requestContextOf(gone)).toBeUndefined();
    expect(trace.getSpan(gone)).toBe(span);
  });

  it('is what the store carries: current request inside, none outside, span kept outside it', () => {
    const a = request('a');
    const seen = contextStore.with(trace.setSpan(ROOT_CONTEXT, span), () =>
      runInRequest(a, () => ({
        inside: currentRequest(),
        outside: runOutsideRequest(() => currentRequest()),
        spanOutside: runOutsideRequest(() => trace.getSpan(contextStore.active())),
      })),
    );

    expect(seen.inside).toBe(a);
    expect(seen.outside).toBeUndefined();
    expect(seen.spanOutside).toBe(span);
  });
});

/** The context runOutsideRequest enters when `ctx` is active. */
function runOutsideRequestOf(ctx: ReturnType<typeof contextWithRequest>) {
  return contextStore.with(ctx, () => runOutsideRequest(() => contextStore.active()));
}

describe('RequestContextManager.enterRequest', () => {
  it('runs its function and the work it queues in the context, then restores the one before', async () => {
    const a = request('a');
    const b = request('b');
    const seen = await runInRequest(b, async () => {
      let queued: Promise<RequestContext | undefined> = Promise.resolve(undefined);
      const inside = contextStore.enterRequest(contextWithRequest(ROOT_CONTEXT, a), () => {
        queued = Promise.all([
          new Promise<void>((resolve) => setTimeout(resolve, 1)),
          new Promise<void>((resolve) => setImmediate(resolve)),
        ]).then(() => currentRequest());
        return currentRequest();
      });
      return { inside, after: currentRequest(), queued: await queued };
    });

    expect(seen.inside).toBe(a);
    expect(seen.queued).toBe(a);
    expect(seen.after).toBe(b);
  });

  it('restores the context before when its function throws', () => {
    const b = request('b');
    const after = runInRequest(b, () => {
      expect(() =>
        contextStore.enterRequest(contextWithRequest(ROOT_CONTEXT, request('a')), () => {
          throw new Error('hook failed');
        }),
      ).toThrow('hook failed');
      return currentRequest();
    });
    expect(after).toBe(b);
  });

  it("starts from no async context: another store's value before it is not carried in", () => {
    const other = new AsyncLocalStorage<string>();
    const seen = other.run('outer', () =>
      contextStore.enterRequest(contextWithRequest(ROOT_CONTEXT, request('a')), () => ({
        other: other.getStore(),
        request: currentRequest()?.requestId,
      })),
    );
    expect(seen).toEqual({ other: undefined, request: 'a' });
  });
});
