/**
 * ns per request for the request context: what it cost with two stores (rampart's own
 * AsyncLocalStorage, entered before the handler, beside OpenTelemetry's context manager, entered
 * in onRequest and again before the handler) against one store (context.store.ts: the request
 * as a key of the OpenTelemetry context, entered once). Each request makes its contexts, enters
 * them, and reads the request and the span six times (log correlation, RequestContextService),
 * with a span as a traced request has one.
 *   npm run bench -- micro   (or: npm run build && node dist/request-context/context.store.bench.js)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { contextWithRequest, requestContextOf } from './context.store.js';
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

function oneStore(): () => number {
  const store = new AsyncLocalStorageContextManager();
  const read = (): number => {
    let n = 0;
    for (let i = 0; i < READS; i++) {
      const active: Context = store.active();
      n += requestContextOf(active)!.deadline > 0 ? 1 : 0;
      n += trace.getSpan(active) ? 1 : 0;
    }
    return n;
  };
  return () => {
    const request = newRequest();
    const ctx = trace.setSpan(contextWithRequest(ROOT_CONTEXT, request), span);
    return store.with(ctx, read);
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

process.stdout.write(`one traced request: contexts made, entered, ${READS} reads\n`);
for (const [name, make] of [
  ['two stores, three entries (before)', twoStores],
  ['one store, entered once (context.store.ts)', oneStore],
] as const) {
  const request = make();
  nsPerRequest(request); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(request)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
