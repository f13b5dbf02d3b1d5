import {
  SamplingDecision,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { PooledIdGenerator } from './pooled-id.generator.js';

const NO_ATTRIBUTES = {};
const NO_LINKS: never[] = [];

/**
 * Starts a request's span when the caller sent no trace context (a local root), asking the
 * root sampler before the SDK. Most requests are not sampled (OTEL_TRACES_SAMPLER_ARG, 10 % by
 * default) and for those the SDK's `startSpan` only wraps fresh ids in a non-recording span,
 * after work that matters to recorded spans alone (links, attribute limits, its span metrics,
 * a parent-based sampler looking for a parent there is not): this returns the same span
 * (`trace.wrapSpanContext`, flags NONE) without it (root-span.starter.bench.ts).
 *
 * A sampled root goes to the SDK as before, with the trace id the decision was made on handed to
 * the id generator: the SDK asks the same sampler about the same id and gets the same answer
 * (the configurable samplers decide on the trace id alone), so a trace's sampling still follows
 * its id, as TraceIdRatioBased requires, and a downstream service sampling by ratio agrees.
 */
export class RootSpanStarter {
  constructor(
    private readonly rootSampler: Sampler,
    private readonly ids: PooledIdGenerator,
  ) {}

  start(tracer: Tracer, name: string, kind: SpanKind, root: Context): Span {
    const traceId = this.ids.generateTraceId();
    const { decision } = this.rootSampler.shouldSample(
      root,
      traceId,
      name,
      kind,
      NO_ATTRIBUTES,
      NO_LINKS,
    );
    if (decision === SamplingDecision.NOT_RECORD) {
      return trace.wrapSpanContext({
        traceId,
        spanId: this.ids.generateSpanId(),
        traceFlags: TraceFlags.NONE,
      });
    }
    this.ids.handOver(traceId);
    try {
      return tracer.startSpan(name, { kind }, root);
    } finally {
      this.ids.handOver(undefined);
    }
  }
}
