import { context, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { TraceClock, type ClockedSpan } from './trace.clock.js';

/** A tracer whose ended spans land in the returned list, with or without the trace clock. */
function tracerWith(clock: boolean) {
  const exporter = new InMemorySpanExporter();
  const collect = new SimpleSpanProcessor({ exporter });
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: clock ? [new TraceClock(), collect] : [collect],
  });
  // Each span is exported as it ends, so the list is in the order they ended.
  return {
    tracer: provider.getTracer('trace-clock-spec'),
    ended: () => exporter.getFinishedSpans(),
  };
}

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const start = (s: ReadableSpan) => hrTimeToMilliseconds(s.startTime);
const end = (s: ReadableSpan) => hrTimeToMilliseconds(s.endTime);

/**
 * `runs` requests as rampart traces them: a server span, and a query started 0.1 ms in that
 * ends before the server span does. Returns how many queries were recorded outside their parent.
 */
function queriesOutsideTheirRequest(clock: boolean, runs: number): number {
  const { tracer, ended } = tracerWith(clock);
  for (let i = 0; i < runs; i++) {
    const server = tracer.startSpan('POST /api/items');
    spin(0.1);
    const query = tracer.startSpan('pg.query', {}, trace.setSpan(context.active(), server));
    spin(0.05);
    query.end();
    spin(0.02); // the response is written after the query's answer came
    server.end();
  }
  let outside = 0;
  const spans = ended();
  for (let i = 0; i < spans.length; i += 2) {
    const [query, server] = [spans[i]!, spans[i + 1]!];
    if (start(query) < start(server) || end(query) > end(server)) outside++;
  }
  return outside;
}

describe('TraceClock', () => {
  it("draws every child inside its parent, which the SDK's whole-millisecond starts do not", () => {
    // Without it, a request that crosses a millisecond boundary between its two starts (about
    // one in seven here) has its query end after it.
    expect(queriesOutsideTheirRequest(false, 400)).toBeGreaterThan(0);
    expect(queriesOutsideTheirRequest(true, 400)).toBe(0);
  });

  it('finds the monotonic start the SDK measures a span from, and whether its start was given', () => {
    const { tracer } = tracerWith(false);
    const before = performance.now();
    const span = tracer.startSpan('probe') as unknown as ClockedSpan;
    expect(span._performanceStartTime).toBeGreaterThanOrEqual(before);
    expect(span._performanceStartTime).toBeLessThanOrEqual(performance.now());
    expect(span._startTimeProvided).toBe(false);
    const given = tracer.startSpan('given', { startTime: Date.now() - 10 });
    expect((given as unknown as ClockedSpan)._startTimeProvided).toBe(true);
  });

  it("keeps a root's start, and measures a grandchild from the root's clock", () => {
    const { tracer, ended } = tracerWith(true);
    const before = Date.now();
    const root = tracer.startSpan('root');
    const child = tracer.startSpan('child', {}, trace.setSpan(context.active(), root));
    spin(0.2);
    const grandchild = tracer.startSpan('grandchild', {}, trace.setSpan(context.active(), child));
    grandchild.end();
    child.end();
    root.end();
    const [g, c, r] = ended();
    // The root starts where the SDK put it, on a whole millisecond.
    expect(start(r!) % 1).toBe(0);
    expect(start(r!)).toBeGreaterThanOrEqual(before);
    // The grandchild starts 0.2 ms or more after the child, and ends inside it.
    expect(start(g!) - start(c!)).toBeGreaterThanOrEqual(0.2);
    expect(end(g!)).toBeLessThanOrEqual(end(c!));
    expect(end(c!)).toBeLessThanOrEqual(end(r!));
  });

  it('keeps a start time the caller gave, and its children on the wall clock', () => {
    const { tracer, ended } = tracerWith(true);
    const root = tracer.startSpan('root');
    const given = Date.now() - 5_000;
    const late = tracer.startSpan(
      'replayed',
      { startTime: given },
      trace.setSpan(context.active(), root),
    );
    // Its child is not placed 5 s back with it: it starts when it started.
    const before = Date.now();
    tracer.startSpan('child', {}, trace.setSpan(context.active(), late)).end();
    late.end();
    root.end();
    const [child, replayed] = ended();
    expect(start(replayed!)).toBe(given);
    expect(start(child!)).toBeGreaterThanOrEqual(before);
  });
});
