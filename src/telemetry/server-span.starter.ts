import {
  isSpanContextValid,
  SamplingDecision,
  SpanKind,
  trace,
  TraceFlags,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { PooledIdGenerator } from './pooled-id.generator.js';
import { ServerSpan, type ServerSpanSite } from './server.span.js';

const NO_ATTRIBUTES = {};
const NO_LINKS: never[] = [];

/**
 * Starts a request's SERVER span, as the SDK tracer's `startSpan` would, without the tracer.
 * Most requests are not sampled (OTEL_TRACES_SAMPLER_ARG, 10 % by default): those get a
 * non-recording span with fresh ids (`trace.wrapSpanContext`), the same one the SDK returns,
 * without the work that matters to recorded spans alone. A recorded one is a ServerSpan
 * (server.span.ts) reporting to the provider's processors (server-span.starter.bench.ts).
 *
 * A request without a caller's trace context is a local root and asks the root sampler
 * directly; one with it asks the configured (parent-based) sampler, which follows the caller's
 * flag. Either decides on the trace id (TraceIdRatioBased requires it), so a downstream service
 * sampling by ratio agrees.
 */
export class ServerSpanStarter {
  constructor(
    private readonly rootSampler: Sampler,
    private readonly sampler: Sampler,
    private readonly ids: PooledIdGenerator,
    private readonly site: ServerSpanSite,
  ) {}

  /** The span for a request named `name` (its method until the route is known), under `parent`. */
  start(name: string, parent: Context): Span {
    const caller = trace.getSpanContext(parent);
    const remote = caller !== undefined && isSpanContextValid(caller) ? caller : undefined;
    const traceId = remote ? remote.traceId : this.ids.generateTraceId();
    const result = (remote ? this.sampler : this.rootSampler).shouldSample(
      parent,
      traceId,
      name,
      SpanKind.SERVER,
      NO_ATTRIBUTES,
      NO_LINKS,
    );
    const spanContext = {
      traceId,
      spanId: this.ids.generateSpanId(),
      traceFlags:
        result.decision === SamplingDecision.RECORD_AND_SAMPLED
          ? TraceFlags.SAMPLED
          : TraceFlags.NONE,
      traceState: result.traceState ?? remote?.traceState,
    };
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const span = new ServerSpan(this.site, spanContext, SpanKind.SERVER, remote, name, parent);
    if (result.attributes) span.setAttributes(result.attributes);
    return span;
  }
}
