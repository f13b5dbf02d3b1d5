import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpAttributesWriter } from './otlp-attributes.writer.js';
import { TWO_POW_32, WIRE_BYTES, WIRE_FIXED64 } from './protobuf.writer.js';

const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_IS_REMOTE = 0x200;
// A batch's spans of one scope: 512 server spans of ~300 bytes fit after three doublings.
const INITIAL_BYTES = 32 * 1024;

/**
 * A list of OTLP `Span` messages, each written as ScopeSpans' field 2, byte for byte as
 * `@opentelemetry/otlp-transformer`'s ProtobufTraceSerializer writes it. A span is written when
 * it ends (otlp-trace.encoder.ts keeps one writer per resource and scope), so a batch waiting
 * for its export holds these bytes instead of the SDK's span objects. Each string is copied
 * once, in a loop over locals; ids go from hex to bytes without an array per id.
 */
export class OtlpSpanWriter extends OtlpAttributesWriter {
  /** Spans written since the last `take`. */
  count = 0;

  constructor(
    readonly resource: ReadableSpan['resource'],
    readonly scope: ReadableSpan['instrumentationScope'],
  ) {
    super(INITIAL_BYTES);
  }

  append(span: ReadableSpan): void {
    this.tag(2, WIRE_BYTES);
    const start = this.openMessage();
    this.span(span);
    this.closeMessage(start);
    this.count++;
  }

  /** The spans written since the last call, as a view the next `append` overwrites. */
  take(): Uint8Array {
    const bytes = this.buf.subarray(0, this.pos);
    this.reset();
    this.count = 0;
    return bytes;
  }

  private span(span: ReadableSpan): void {
    const context = span.spanContext();
    this.idField(1, context.traceId);
    this.idField(2, context.spanId);
    const traceState = context.traceState?.serialize();
    if (traceState) this.stringField(3, traceState);
    const parent = span.parentSpanContext;
    if (parent?.spanId) this.idField(4, parent.spanId);
    this.stringField(5, span.name);
    const kind = span.kind == null ? 0 : span.kind + 1;
    if (kind !== 0) this.varintField(6, kind);
    this.tag(7, WIRE_FIXED64);
    this.hrTime(span.startTime);
    this.tag(8, WIRE_FIXED64);
    this.hrTime(span.endTime);
    this.attributes(9, span.attributes);
    this.varintField(10, span.droppedAttributesCount);
    for (const event of span.events) {
      this.tag(11, WIRE_BYTES);
      const start = this.openMessage();
      this.tag(1, WIRE_FIXED64);
      this.hrTime(event.time);
      this.stringField(2, event.name);
      if (event.attributes) this.attributes(3, event.attributes);
      this.varintField(4, event.droppedAttributesCount || 0);
      this.closeMessage(start);
    }
    this.varintField(12, span.droppedEventsCount);
    for (const link of span.links) {
      this.tag(13, WIRE_BYTES);
      const start = this.openMessage();
      this.idField(1, link.context.traceId);
      this.idField(2, link.context.spanId);
      const linkState = link.context.traceState?.serialize();
      if (linkState) this.stringField(3, linkState);
      if (link.attributes) this.attributes(4, link.attributes);
      this.varintField(5, link.droppedAttributesCount || 0);
      this.fixed32Field(6, spanFlags(link.context, link.context.isRemote));
      this.closeMessage(start);
    }
    this.varintField(14, span.droppedLinksCount);
    this.tag(15, WIRE_BYTES);
    const status = this.openMessage();
    if (span.status.message) this.stringField(2, span.status.message);
    this.varintField(3, span.status.code);
    this.closeMessage(status);
    this.fixed32Field(16, spanFlags(context, parent?.isRemote));
  }

  /** A trace or span id: its hex digits as bytes, the way the serializer's hexToBinary reads them. */
  private idField(field: number, hex: string): void {
    this.tag(field, WIRE_BYTES);
    const length = hex.length >>> 1;
    this.varint(length);
    this.ensure(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < hex.length; i += 2) {
      buf[pos++] = (hexDigit(hex.charCodeAt(i)) << 4) | hexDigit(hex.charCodeAt(i + 1));
    }
    this.pos = pos;
  }

  /** Nanoseconds since the epoch, as fixed64, from [seconds, nanoseconds] without overflow. */
  private hrTime([seconds, nanos]: HrTime): void {
    const low16 = (seconds & 0xffff) * 1e9;
    const high = (seconds / 0x10000) >>> 0;
    const highNanos = high * 1e9;
    const lowSum = (low16 >>> 0) + (((highNanos & 0xffff) * 0x10000) >>> 0) + nanos;
    const highSum =
      Math.floor(low16 / TWO_POW_32) +
      ((highNanos / 0x10000) >>> 0) +
      Math.floor(lowSum / TWO_POW_32);
    this.ensure(8);
    this.view.setUint32(this.pos, lowSum >>> 0, true);
    this.view.setUint32(this.pos + 4, highSum >>> 0, true);
    this.pos += 8;
  }
}

/** The W3C trace flags with the "is remote" bits OTLP adds (SpanFlags in trace.proto). */
function spanFlags(context: SpanContext, isRemote: boolean | undefined): number {
  return (
    (context.traceFlags & 0xff) | SPAN_FLAGS_HAS_IS_REMOTE | (isRemote ? SPAN_FLAGS_IS_REMOTE : 0)
  );
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}
