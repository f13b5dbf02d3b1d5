import { propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import type { RequestState } from '../request-context/request-state.js';
import { requestAttributes } from './server-span.attributes.js';
import { ServerSpan } from './server.span.js';
import type { ServerSpanStarter } from './server-span.starter.js';
import { telemetryHandle } from './telemetry.handle.js';

/**
 * One SERVER span per request, named `METHOD /route` (OTel HTTP semantic conventions; `HTTP
 * /route` for a method outside OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS), with the
 * caller's span as parent, read in the OTEL_PROPAGATORS formats (telemetry.propagators.ts).
 * This replaces `@fastify/otel`, which wraps every hook and handler in spans of its own: one span
 * per request costs a fraction of that (the telemetry bench, bench/scenarios/telemetry.js).
 *
 * No hooks of its own: the request-state hook (http/request-state.hook.ts) starts the span
 * when it makes the request's state, and its one `close` listener ends an abandoned one; the
 * response hook (http/http.hooks.ts) ends the rest. The access log reads the ids from the state
 * after the span ended.
 */
export class ServerSpans {
  constructor(
    private readonly starter: ServerSpanStarter,
    /** OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: the methods recorded by name. */
    private readonly knownMethods: ReadonlySet<string>,
    private readonly textLimit = Infinity,
  ) {}

  /** Starts the request's span (never for probes), parented by the caller's trace headers. */
  start(request: FastifyRequest, state: RequestState): void {
    if (state.probe) return;
    // Always extracted: the propagators read more headers than they announce in fields() (a
    // `b3` propagator also accepts X-B3-*), and an extraction that finds nothing costs ~0.4 µs
    // (tracecontext, baggage and B3 on a request without trace headers, Node 24).
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    // Named for the sampler by method alone (an interned string); the full name is built only
    // for a span that records (server-span.starter.ts), and so is the known-method check: the
    // configured samplers (ratio, parent-based) never read the name.
    const span = this.starter.start(request.method, parent);
    if (span instanceof ServerSpan) this.recordRequest(span, request, state.route);
    state.span = span;
    // The request's context is the store's, not the extracted one, so what else the propagators
    // read (W3C baggage, B3/Jaeger baggage headers) is carried over; calls made while handling
    // the request send it on.
    const baggage = propagation.getBaggage(parent);
    const base = baggage ? propagation.setBaggage(state.context, baggage) : state.context;
    state.context = trace.setSpan(base, span);
  }

  /**
   * A recording span's name and request attributes. A method outside the known ones is
   * `http.request.method` `_OTHER`, with the method as sent in `http.request.method_original`,
   * and names the span `HTTP` (HTTP semconv, "Name"): a span name or attribute per method a
   * client may pick is a cardinality the conventions bound. The access log keeps the method as
   * sent (http/access.log.ts): a log line is not aggregated by it.
   */
  private recordRequest(span: ServerSpan, request: FastifyRequest, route: string | undefined) {
    const method = request.method;
    const known = this.knownMethods.has(method);
    const name = known ? method : 'HTTP';
    if (route !== undefined) span.updateName(`${name} ${route}`);
    else if (!known) span.updateName(name);
    span.recordRequest(requestAttributes(request, known, route, this.textLimit));
  }

  /** Ends the span of a request whose response was written. */
  end(span: Span, status: number): void {
    if (!span.isRecording()) return;
    span.setAttribute('http.response.status_code', status);
    // Server spans: only 5xx is an error; a 4xx is the client's mistake (HTTP semconv).
    if (status >= 500) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** Ends the span of a request whose client left before the answer was written. */
  abandon(span: Span): void {
    if (!span.isRecording()) return;
    span.setAttribute('error.type', 'client_closed');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection' });
    span.end();
  }
}

/** Server spans when the SDK started; undefined (no span, zero cost) when OTEL_SDK_DISABLED. */
export function serverSpans(knownMethods: readonly string[]): ServerSpans | undefined {
  const telemetry = telemetryHandle();
  return telemetry?.serverSpans
    ? new ServerSpans(
        telemetry.serverSpans,
        new Set(knownMethods),
        telemetry.attributeValueLengthLimit,
      )
    : undefined;
}
