import { ROOT_CONTEXT, SpanKind, type Tracer } from '@opentelemetry/api';

/**
 * Ends one server span as rampart records a `GET /hello` from wrk: the span the telemetry
 * micro-benchmarks (otlp-trace.encoder.bench.ts, encoded-batch.processor.bench.ts) measure.
 */
export function endHelloSpan(tracer: Tracer): void {
  const span = tracer.startSpan('GET', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  span.updateName('GET /hello');
  span.setAttributes(helloAttributes());
  span.setAttribute('http.response.status_code', 200);
  span.end();
}

/** A `GET /hello` from wrk's request attributes (server-span.hooks.ts), a new object each call. */
export function helloAttributes(): Record<string, string | number> {
  return {
    'http.request.method': 'GET',
    'http.route': '/hello',
    'url.path': '/hello',
    'url.scheme': 'http',
    'server.address': '127.0.0.1',
    'server.port': 8080,
    'client.address': '127.0.0.1',
    'network.peer.address': '127.0.0.1',
    'network.peer.port': 41_234,
    'network.protocol.version': '1.1',
    'user_agent.original': 'wrk',
  };
}
