/**
 * ns per request for the request context: what it cost with two stores (rampart's own
 * AsyncLocalStorage, entered before the handler, beside OpenTelemetry's context manager, entered
 * in onRequest and again before the handler) against one store (context.store.ts: the request
 * as a key of the OpenTelemetry context, entered once), the request set with the API's
 * BaseContext (`setValue`) or held by context.store.ts's own context (which, traced, also holds
 * the span: 490-508 ns before it did, 394-400 after), and entered with OpenTelemetry's `with` or
 * with `enterRequest` (one frame where AsyncLocalStorage.run makes two). Each request makes its
 * contexts, enters them, and reads the request and the span six times (log correlation,
 * RequestContextService), with a span as a traced request has one, and without (tracing off).
 *   npm run bench -- micro   (or: npm run build && node dist/request-context/context.store.bench.js)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createContextKey, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { contextWithRequest, RequestContextManager, requestContextOf } from './context.store.js';
import { NEVER_ABORTS, type RequestContext } from './request-context.js';

const span = trace.wrapSpanContext({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
});
const READS = 6;

function twoStores(): () => number {
  const own = new AsyncLocalStorage<RequestContext>();
  const otel = new AsyncLocalStorageContextManager();
  const read = (): number => {
    let n = 0;
    for (let i = 0; i < READS; i++) {
      n += own.getStore()!.deadline > 0 ? 1 : 0;
      n += trace.getSpan(otel.active()) ? 1 : 0;
    }
    return n;
  };
  return () => {
    const request = newRequest();
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    return otel.with(ctx, () => own.run(request, () => otel.with(ctx, read)));
  };
}

/** How one store's context carries the request: set it, read it. */
interface Carrier {
  withRequest(request: RequestContext): Context;
  requestOf(context: Context): RequestContext | undefined;
}

/** context.store.ts: its own context class holding the request. */
const OWN: Carrier = {
  withRequest: (r) => contextWithRequest(ROOT_CONTEXT, r),
  requestOf: requestContextOf,
};

/** Before it: the request as a key of the API's BaseContext (a Map copy per setValue). */
const BASE_KEY = createContextKey('bench.request');
const BASE: Carrier = {
  withRequest: (r) => ROOT_CONTEXT.setValue(BASE_KEY, r),
  requestOf: (context) => context.getValue(BASE_KEY) as RequestContext | undefined,
};

/**
 * @param entered how the request's context is entered: OpenTelemetry's `with`
 * (AsyncLocalStorage.run: two frames in Node 24) or `enterRequest` (one), as the hook does.
 */
function oneStore(
  carrier: Carrier,
  traced: boolean,
  entered: 'with' | 'enterRequest' = 'enterRequest',
): () => number {
  const store = new RequestContextManager();
  const read = (): number => {
    let n = 0;
    for (let i = 0; i < READS; i++) {
      const active: Context = store.active();
      n += carrier.requestOf(active)!.deadline > 0 ? 1 : 0;
      n += trace.getSpan(active) ? 1 : 0;
    }
    return n;
  };
  return () => {
    const withRequest = carrier.withRequest(newRequest());
    const context = traced ? trace.setSpan(withRequest, span) : withRequest;
    return entered === 'with' ? store.with(context, read) : store.enterRequest(context, read);
  };
}

function newRequest(): RequestContext {
  return { requestId: 'r', deadline: 1, signal: NEVER_ABORTS, startedAt: 0 };
}

function nsPerRequest(request: () => number): number {
  const requests = 300_000;
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) sink += request();
  const ns = Number(process.hrtime.bigint() - started) / requests;
  if (sink === 0) throw new Error('unreachable: keeps the reads alive');
  return ns;
}

process.stdout.write(`one request: contexts made, entered, ${READS} reads\n`);
for (const [name, request] of [
  ['traced, two stores, three entries', twoStores()],
  ['traced, one store, BaseContext, `with`', oneStore(BASE, true, 'with')],
  ['traced, one store (context.store.ts), `with`', oneStore(OWN, true, 'with')],
  ['traced, one store (context.store.ts), enterRequest', oneStore(OWN, true)],
  ['untraced, one store, BaseContext, `with`', oneStore(BASE, false, 'with')],
  ['untraced, one store (context.store.ts), `with`', oneStore(OWN, false, 'with')],
  ['untraced, one store (context.store.ts), enterRequest', oneStore(OWN, false)],
] as const) {
  nsPerRequest(request); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(request)));
  process.stdout.write(`  ${name.padEnd(52)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
