import { SpanStatusCode, type Attributes, type SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const NO_EVENTS: readonly string[] = [];

/**
 * What /debug/tracez shows of one ended span, copied out of the SDK's span when the store keeps
 * it. The store holds a kept span for seconds, long enough for V8 to promote it to the old
 * generation. Kept whole, the SDK's span is promoted with all it holds (its span context, three
 * hrtime arrays, status, links and events arrays: ~1 KB with a server span's attributes); this
 * record holds the fields the page reads and the span's own attributes object
 * (span.store.spec.ts measures it). The SDK's span is then garbage as soon as its bytes are
 * encoded for export.
 */
export class HeldSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  /** The parent's span id; undefined for a root (its caller in another process included). */
  readonly parentSpanId: string | undefined;
  /** Start, milliseconds since the epoch. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly failed: boolean;
  readonly attributes: Attributes;
  readonly eventNames: readonly string[];

  constructor(span: ReadableSpan) {
    const context = span.spanContext();
    this.name = span.name;
    this.kind = span.kind;
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.parentSpanId = span.parentSpanContext?.spanId;
    this.startMs = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
    this.durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
    this.failed = span.status.code === SpanStatusCode.ERROR;
    this.attributes = span.attributes;
    this.eventNames = span.events.length === 0 ? NO_EVENTS : span.events.map((e) => e.name);
  }
}
