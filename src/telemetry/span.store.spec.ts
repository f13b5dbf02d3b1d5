import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { SpanStore, traceKey } from './span.store.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A tracer whose spans end up in `store` only. */
function tracerFor(store: SpanStore) {
  const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [store] });
  return provider.getTracer('span-store-spec');
}

/** A server span as server-span.hooks.ts makes for `GET /api/items/:id`, with its attributes. */
function serverSpan(tracer: ReturnType<typeof tracerFor>, i: number): void {
  const span = tracer.startSpan('GET /api/items/:id', { kind: SpanKind.SERVER });
  span.setAttributes({
    'http.request.method': 'GET',
    'http.route': '/api/items/:id',
    'url.path': `/api/items/${i}`,
    'url.scheme': 'http',
    'server.address': 'rampart.example.test',
    'server.port': 443,
    'client.address': `10.0.${i % 250}.${i % 200}`,
    'network.peer.address': '10.1.0.7',
    'network.peer.port': 40_000 + (i % 20_000),
    'network.protocol.version': '1.1',
    'user_agent.original': 'curl/8.5.0',
    'http.response.status_code': 200,
  });
  span.end();
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** An ended span of trace `traceId` as the store sees it. */
const endedSpan = (traceId: string, name: string) =>
  ({
    name,
    kind: SpanKind.SERVER,
    attributes: {},
    events: [],
    status: { code: 0 },
    startTime: [0, 0],
    duration: [0, 1_000],
    spanContext: () => ({ traceId, spanId: '0'.repeat(16) }),
  }) as unknown as ReadableSpan;
const traceId = (i: number) => i.toString(16).padStart(32, '0');

describe('SpanStore', () => {
  it('keys a trace by its last four hex digits, as parseInt reads them', () => {
    for (const id of [
      '0'.repeat(32),
      'f'.repeat(32),
      `${'1'.repeat(28)}a0B9`,
      traceId(7_919 * 3),
    ]) {
      expect(traceKey(id)).toBe(Number.parseInt(id.slice(-4), 16));
    }
  });

  it('past `perSecond` spans a second, keeps whole traces at about that rate', () => {
    let now = 0;
    const store = new SpanStore(100_000, 1_000, () => now);
    // Second 1: 8,000 spans a second offered (2,000 traces of four spans), all kept.
    for (let t = 0; t < 2_000; t++)
      for (let s = 0; s < 4; s++) store.onEnd(endedSpan(traceId(t * 7_919), `span ${s}`));
    expect(store.stats().held).toBe(8_000);
    now = 1_000;
    // Second 2, same rate: an eighth of the traces kept, each with all its spans.
    const base = store.stats().held;
    for (let t = 2_000; t < 4_000; t++)
      for (let s = 0; s < 4; s++) store.onEnd(endedSpan(traceId(t * 7_919), `span ${s}`));
    const kept = store.stats().held - base;
    expect(store.keptShare).toBeCloseTo(1 / 8, 2);
    expect(store.stats().keptShare).toBeCloseTo(1 / 8, 2);
    expect(kept).toBeGreaterThan(700);
    expect(kept).toBeLessThan(1_300);
    const perTrace = new Map<string, number>();
    for (const span of store.spans().slice(base))
      perTrace.set(span.traceId, (perTrace.get(span.traceId) ?? 0) + 1);
    expect([...new Set(perTrace.values())]).toEqual([4]);
    now = 1_500;
    expect(store.keptShare).toBeCloseTo(1 / 8, 2);
    // Once the load stops the store says it keeps everything, before any new span arrives.
    now = 3_000;
    expect(store.keptShare).toBe(1);
    // And a quiet second keeps everything again.
    store.onEnd(endedSpan(traceId(1), 'quiet'));
    now = 4_000;
    store.onEnd(endedSpan(traceId(2), 'quiet'));
    expect(store.keptShare).toBe(1);
    expect(store.spans().at(-1)?.name).toBe('quiet');
  });

  it('keeps the newest `capacity` spans, oldest first, and counts every one recorded', () => {
    const store = new SpanStore(16, Infinity);
    const tracer = tracerFor(store);
    for (let i = 0; i < 40; i++) tracer.startSpan(`span ${i}`).end();
    const names = store.spans().map((s) => s.name);
    expect(names).toHaveLength(16);
    expect(names[0]).toBe('span 24');
    expect(names.at(-1)).toBe('span 39');
    expect(store.stats()).toMatchObject({ held: 16, capacity: 16, recorded: 40 });
  });

  it("holds what the page shows, not the SDK's span, which is garbage once it ended", async () => {
    const store = new SpanStore(16, Infinity);
    const tracer = tracerFor(store);
    const ended = (() => {
      const span = tracer.startSpan('GET /hello', { kind: SpanKind.SERVER });
      span.setAttribute('http.route', '/hello');
      span.addEvent('answered');
      span.end();
      return new WeakRef(span);
    })();
    for (let i = 0; i < 5 && ended.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(ended.deref()).toBeUndefined();
    expect(store.spans()).toEqual([
      expect.objectContaining({
        name: 'GET /hello',
        kind: SpanKind.SERVER,
        attributes: { 'http.route': '/hello' },
        eventNames: ['answered'],
        failed: false,
      }),
    ]);
  });

  it('reports a memory figure close to the heap its spans really take, and stays bounded', () => {
    const capacity = 4096;
    const store = new SpanStore(capacity, Infinity);
    const tracer = tracerFor(store);
    serverSpan(tracer, 0); // the SDK's lazily built parts, before measuring
    const empty = heapAfterGc();
    for (let i = 1; i < capacity; i++) serverSpan(tracer, i);
    const full = heapAfterGc();
    const { approxBytes, held } = store.stats();
    expect(held).toBe(capacity);
    const measured = full - empty;
    // The estimate is for an operator's eye: within a factor of 1.5 either way.
    expect(approxBytes / measured).toBeGreaterThan(1 / 1.5);
    expect(approxBytes / measured).toBeLessThan(1.5);

    // Three more rounds overwrite the ring: the heap holds one ring's worth, not four.
    for (let i = 0; i < 3 * capacity; i++) serverSpan(tracer, i);
    const after = heapAfterGc();
    expect(after - empty).toBeLessThan(measured * 1.5);
    expect(store.stats().recorded).toBe(4 * capacity);
  });
});
