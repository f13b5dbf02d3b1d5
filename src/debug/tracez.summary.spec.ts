import { ROOT_CONTEXT, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { SpanStore } from '../telemetry/span.store.js';
import { bucketOf, select, summarize, waterfall } from './tracez.summary.js';

/** Spans with chosen start times and durations (ms from an arbitrary origin). */
function recorder(): { tracer: Tracer; store: SpanStore } {
  const store = new SpanStore(64);
  const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [store] });
  return { tracer: provider.getTracer('tracez-spec'), store };
}

const T0 = 1_700_000_000_000;

describe('tracez summary', () => {
  it('puts a duration in zPages latency buckets: [0,10µs) … [100s,∞)', () => {
    expect(bucketOf(0.005)).toBe(0);
    expect(bucketOf(0.01)).toBe(1);
    expect(bucketOf(0.5)).toBe(2);
    expect(bucketOf(5)).toBe(3);
    expect(bucketOf(250)).toBe(5);
    expect(bucketOf(200_000)).toBe(8);
  });

  it('groups by name with counts, errors and buckets; lists slowest and failed', () => {
    const { tracer, store } = recorder();
    for (const ms of [2, 30, 700]) tracer.startSpan('GET /a', { startTime: T0 }).end(T0 + ms);
    const bad = tracer.startSpan('GET /b', { startTime: T0 });
    bad.setStatus({ code: SpanStatusCode.ERROR });
    bad.end(T0 + 3);
    const spans = store.spans();
    const [a, b] = summarize(spans);
    expect(a).toMatchObject({ name: 'GET /a', count: 3, errors: 0, maxMs: 700 });
    expect(a!.buckets).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect(b).toMatchObject({ name: 'GET /b', count: 1, errors: 1 });
    const slowest = select(spans, { name: 'GET /a', view: 'slowest' }, 2);
    expect(slowest.map((s) => s.durationMs)).toEqual([700, 30]);
    expect(select(spans, { view: 'failed' }, 10).map((s) => s.name)).toEqual(['GET /b']);
    expect(select(spans, { name: 'GET /a', view: 'recent', bucket: 3 }, 10)).toHaveLength(1);
  });

  it('draws one trace as a tree in start order; a parent not held makes a root', () => {
    const { tracer, store } = recorder();
    const root = tracer.startSpan('POST /api/items', { startTime: T0 });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    const child = tracer.startSpan('pg.query', { startTime: T0 + 25 }, ctx);
    child.end(T0 + 75);
    root.end(T0 + 100);
    tracer.startSpan('other trace', { startTime: T0 }).end(T0 + 1);
    const traceId = root.spanContext().traceId;
    const rows = waterfall(store.spans(), traceId);
    expect(rows.map((r) => [r.span.name, r.depth, r.offsetPct, r.widthPct])).toEqual([
      ['POST /api/items', 0, 0, 100],
      ['pg.query', 1, 25, 50],
    ]);
    expect(waterfall(store.spans(), 'f'.repeat(32))).toEqual([]);
  });

  // Milliseconds since 1970 carry ~2e-4 ms of float error: a 0.6 ms span was drawn 100.01 %
  // wide, past its track, and a short span at the trace's end got its minimum width beyond it.
  it('keeps every bar inside its track, for sub-millisecond spans at real clock times', () => {
    const { tracer, store } = recorder();
    const at = (ns: number): [number, number] => [1_765_120_000, 123_456_789 + ns];
    const root = tracer.startSpan('GET', { startTime: at(0) });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    tracer.startSpan('last', { startTime: at(605_000) }, ctx).end(at(606_000));
    root.end(at(606_000));
    const rows = waterfall(store.spans(), root.spanContext().traceId);
    expect(rows.map((r) => [r.span.name, r.widthPct.toFixed(2)])[0]).toEqual(['GET', '100.00']);
    for (const r of rows) {
      expect({ name: r.span.name, inside: r.offsetPct + r.widthPct <= 100 }).toEqual({
        name: r.span.name,
        inside: true,
      });
    }
  });
});
