import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Span,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { OtlpTraceEncoder } from './otlp-trace.encoder.js';

/** Spans as the SDK records them, each exported to the in-memory exporter as it ends. */
function recorder(resourceAttributes: Record<string, string> = { 'service.name': 'rampart' }) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    resource: resourceFromAttributes(resourceAttributes),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return {
    ended: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    tracer: (name: string, version?: string) => provider.getTracer(name, version),
  };
}

function expectSameBytes(spans: ReadableSpan[]): void {
  const reference = ProtobufTraceSerializer.serializeRequest(spans);
  expect(reference).toBeDefined();
  const ours = new OtlpTraceEncoder().encode(spans);
  expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(reference!).toString('hex'));
}

describe('OtlpTraceEncoder', () => {
  it('writes a server span as rampart records it, byte for byte as the SDK serializer', () => {
    const { ended, tracer } = recorder({
      'service.name': 'rampart',
      'service.version': '0.1.0',
      'k8s.pod.name': 'rampart-7d9f',
    });
    const span = tracer('rampart.http.server').startSpan('GET', { kind: SpanKind.SERVER });
    span.updateName('GET /hello');
    span.setAttributes({
      'http.request.method': 'GET',
      'http.route': '/hello',
      'url.path': '/hello',
      'url.scheme': 'http',
      'client.address': '10.1.2.3',
      'network.peer.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'curl/8.5.0',
    });
    span.setAttribute('http.response.status_code', 200);
    span.end();
    expectSameBytes(ended());
  });

  it('writes every field the SDK can fill: parents, remote flags, state, events, links, errors, values of each type', () => {
    const { ended, tracer } = recorder();
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('vendor=abc,other=x'),
    });
    const server = tracer('rampart.http.server').startSpan(
      'POST /api/counters/:name/increment',
      {
        kind: SpanKind.SERVER,
        links: [
          {
            context: {
              traceId: 'ABCDEF0123456789abcdef0123456789',
              spanId: '0123456789ABCDEF',
              traceFlags: TraceFlags.NONE,
              traceState: new TraceState('k=v'),
            },
            attributes: { 'link.kind': 'batch', 'link.count': 3 },
          },
        ],
      },
      remote,
    );
    context.with(trace.setSpan(ROOT_CONTEXT, server), () => {
      const query = tracer('@opentelemetry/instrumentation-pg', '0.77.0').startSpan(
        'pg.query:UPDATE',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system': 'postgresql',
            'db.statement': `UPDATE counters SET value = value + $1 WHERE name = $2 ${'x'.repeat(300)}`,
            'net.peer.port': 5432,
            'db.rows': -7,
            'db.big': 2 ** 40 + 3,
            'db.negative.big': -(2 ** 45),
            'db.ratio': 0.125,
            'db.flag': true,
            'db.off': false,
            'db.names': ['a', 'b\u00e9', ''],
            'db.numbers': [1, 2.5, -3],
            'db.flags': [true, false],
          },
        },
      );
      query.addEvent('exception', {
        'exception.type': 'DbQueryTimeoutError',
        'exception.message': 'statement timed out after 5000 ms \u2014 abandoned',
      });
      query.setStatus({ code: SpanStatusCode.ERROR, message: 'timed out' });
      query.end();
    });
    server.setAttribute('caf\u00e9.\u{1F600}', 'na\u00efve \u{1F680} \ud800 lone');
    server.setAttribute('empty', '');
    server.addEvent('slow body', { bytes: 65_536 });
    server.setStatus({ code: SpanStatusCode.OK });
    server.end();
    tracer('rampart.items', '1').startSpan('internal', { kind: SpanKind.INTERNAL }).end();
    expect(ended()).toHaveLength(3);
    expectSameBytes(ended());
  });

  it('writes a batch whose lengths need two and three bytes (long strings, many spans)', () => {
    const { ended, tracer } = recorder();
    const server = tracer('rampart.http.server');
    for (let i = 0; i < 600; i++) {
      const span: Span = server.startSpan(`GET /api/items/${i}`, { kind: SpanKind.SERVER });
      span.setAttribute('url.path', `/api/items/${i}?${'q'.repeat(i % 3 === 0 ? 20_000 : 10)}`);
      span.end();
    }
    expectSameBytes(ended());
  });

  it('writes keys it has kept and keys past what it keeps alike, multi-byte and long ones too', () => {
    const { ended, reset, tracer } = recorder();
    const encoder = new OtlpTraceEncoder();
    const server = tracer('rampart.http.server');
    // 400 keys of their own (past the 256 kept), a long one, a multi-byte one, and the common
    // keys in every span: twice, so the second batch reads every key back from what was kept.
    const batch = () => {
      for (let i = 0; i < 400; i++) {
        const span: Span = server.startSpan('GET /hello', { kind: SpanKind.SERVER });
        span.setAttributes({ 'http.route': '/hello', 'server.port': 8080, [`own.${i}`]: i });
        span.setAttributes({ [`k${'e'.repeat(200)}y`]: 'long', 'clé.größe': '✓' });
        span.end();
      }
      const spans = ended();
      const bytes = encoder.encode(spans);
      expect(Buffer.from(bytes).toString('hex')).toBe(
        Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!).toString('hex'),
      );
      reset();
    };
    batch();
    batch();
  });

  it('serves the next batch from the same buffer without leaking the last one into it', () => {
    const { ended, reset, tracer } = recorder();
    const encoder = new OtlpTraceEncoder();
    tracer('a').startSpan('x'.repeat(5_000)).end();
    const first = encoder.encode(ended());
    reset();
    tracer('a').startSpan('short').end();
    const second = encoder.encode(ended());
    expect(Buffer.from(second)).toEqual(
      Buffer.from(ProtobufTraceSerializer.serializeRequest(ended())!),
    );
    expect(first.length).toBeGreaterThan(5_000);
    expect(second.length).toBeLessThan(500);
  });

  it('encodes no spans as an empty request', () => {
    expect(new OtlpTraceEncoder().encode([])).toEqual(new Uint8Array(0));
  });
});
