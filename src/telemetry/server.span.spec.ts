import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  TracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { OtlpSpanWriter } from './otlp-span.writer.js';
import { ServerSpan } from './server.span.js';
import { TraceClock, type ClockedSpan } from './trace.clock.js';

// Small limits, so every rule is reached.
const LIMITS = {
  attributeCountLimit: 6,
  attributeValueLengthLimit: 8,
  eventCountLimit: 5,
  linkCountLimit: 2,
  attributePerEventCountLimit: 2,
  attributePerLinkCountLimit: 2,
};
const CALLER: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};
const LINKED: SpanContext = { ...CALLER, spanId: '00f067aa0ba902b8' };
const T = 1_700_000_000_000;

/** What a processor is told, in order. */
function recorder(): { calls: string[]; processor: SpanProcessor } {
  const calls: string[] = [];
  const processor: SpanProcessor = {
    onStart: (span) => void calls.push(`start ${(span as ReadableSpan).name}`),
    onEnding: (span) => void calls.push(`ending ${span.name} ${span.ended}`),
    onEnd: (span) => void calls.push(`end ${span.name} ${span.ended}`),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  return { calls, processor };
}

/** The same span twice: the SDK's (from a tracer) and a ServerSpan, told the same things. */
function pair() {
  const resource = resourceFromAttributes({ 'service.name': 'spec' });
  const sdkSide = recorder();
  const tracer = new TracerProvider({
    resource,
    sampler: new AlwaysOnSampler(),
    spanLimits: LIMITS,
    spanProcessors: [sdkSide.processor],
  }).getTracer('rampart.http.server');
  const parent = trace.setSpanContext(ROOT_CONTEXT, CALLER);
  const sdk = tracer.startSpan('GET', { kind: SpanKind.SERVER }, parent);
  const ownSide = recorder();
  const own = new ServerSpan(
    {
      resource,
      scope: { name: 'rampart.http.server' },
      processors: [ownSide.processor],
      limits: LIMITS,
    },
    sdk.spanContext(),
    SpanKind.SERVER,
    CALLER,
    'GET',
    parent,
  );
  // One start for both, so their bytes can be compared.
  (sdk as unknown as ClockedSpan).startTime = own.startTime;
  return { sdk, own, sdkCalls: sdkSide.calls, ownCalls: ownSide.calls };
}

function bytesOf(span: ReadableSpan): Buffer {
  const writer = new OtlpSpanWriter(span.resource, span.instrumentationScope);
  writer.append(span);
  return Buffer.from(writer.take());
}

/** Everything a server span is told in its life, and some it must refuse. */
function live(span: Span): void {
  span.updateName('GET /hello');
  span.setAttributes({ 'http.request.method': 'GET', 'url.path': '/a-path-longer-than-8' });
  span.setAttribute('', 'empty key');
  span.setAttribute('undefined', undefined as unknown as string);
  span.setAttribute('object', { no: 'plain' } as unknown as string);
  span.setAttribute('list', ['one', 'two-and-longer']);
  span.setAttribute('count', 3);
  span.setAttribute('flag', true);
  span.setAttribute('http.request.method', 'POST');
  span.setAttribute('over.the.limit', 'dropped');
  span.setAttribute('also.over', 'dropped');
  span.addEvent('plain');
  span.addEvent('timed', T + 5);
  span.addEvent('attributes', { a: 'a-long-value', b: 2, c: 'over' }, new Date(T + 6));
  span.addEvent('attributes and time', { a: 1 }, [1_700_000_000, 7_000_000]);
  span.recordException(Object.assign(new Error('boom'), { code: 'E_BOOM' }), T + 8);
  span.recordException('just a message', T + 9);
  span.addLink({ context: LINKED, attributes: { x: 'x', y: 'y', z: 'z' } });
  span.addLinks([{ context: LINKED }, { context: CALLER }]);
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  span.setStatus({ code: SpanStatusCode.OK });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'after OK' });
  span.end(T + 10);
  span.setAttribute('after.end', 'ignored');
  span.addEvent('after end');
  span.updateName('renamed after end');
  span.end(T + 20);
}

describe('ServerSpan', () => {
  it("records what the SDK's span records, told the same things: same fields, same OTLP bytes", () => {
    const { sdk, own } = pair();
    live(sdk);
    live(own);
    const readable = sdk as unknown as ReadableSpan;
    for (const field of [
      'name',
      'kind',
      'parentSpanContext',
      'startTime',
      'endTime',
      'duration',
      'ended',
      'status',
      'attributes',
      'events',
      'links',
      'droppedAttributesCount',
      'droppedEventsCount',
      'droppedLinksCount',
      'resource',
      'instrumentationScope',
    ] as const) {
      expect([field, own[field]]).toEqual([field, readable[field]]);
    }
    expect(bytesOf(own)).toEqual(bytesOf(readable));
    expect(own.isRecording()).toBe(false);
  });

  it("tells its processors what the SDK's span tells them, in the same order", () => {
    const { sdk, own, sdkCalls, ownCalls } = pair();
    sdk.updateName('GET /hello');
    own.updateName('GET /hello');
    sdk.end();
    own.end();
    own.end();
    expect(ownCalls).toEqual(sdkCalls);
    expect(ownCalls).toEqual(['start GET', 'ending GET /hello false', 'end GET /hello true']);
  });

  it('ends after its start by the monotonic clock, and TraceClock draws its children inside it', () => {
    const resource = resourceFromAttributes({});
    const tracer = new TracerProvider({
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new TraceClock()],
    }).getTracer('child');
    const server = new ServerSpan(
      { resource, scope: { name: 's' }, processors: [new TraceClock()], limits: LIMITS },
      { ...CALLER, spanId: '1111111111111111', isRemote: false },
      SpanKind.SERVER,
      CALLER,
      'GET',
      ROOT_CONTEXT,
    );
    const startedAt = performance.now();
    while (performance.now() - startedAt < 3);
    const child = tracer.startSpan('pg.query', {}, trace.setSpan(ROOT_CONTEXT, server));
    child.end();
    server.end();
    const childSpan = child as unknown as ReadableSpan & ClockedSpan;
    const offset =
      hrTimeToMilliseconds(childSpan.startTime) - hrTimeToMilliseconds(server.startTime);
    expect(offset).toBeCloseTo(childSpan._performanceStartTime - server._performanceStartTime, 3);
    expect(offset).toBeGreaterThanOrEqual(3);
    expect(hrTimeToMilliseconds(server.duration)).toBeGreaterThanOrEqual(offset);
    expect(hrTimeToMilliseconds(server.endTime)).toBeGreaterThanOrEqual(
      hrTimeToMilliseconds(childSpan.endTime),
    );
  });
});
