import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpAttributesWriter } from './otlp-attributes.writer.js';
import { TWO_POW_32, WIRE_BYTES, WIRE_FIXED64 } from './protobuf.writer.js';
import {
  groupByResourceAndScope,
  type SpanResource,
  type SpanScope,
} from './span-batch.grouping.js';

const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_IS_REMOTE = 0x200;

/**
 * Encodes spans as an OTLP `ExportTraceServiceRequest` (protobuf), byte for byte what
 * `@opentelemetry/otlp-transformer`'s ProtobufTraceSerializer writes (otlp-trace.encoder.spec.ts
 * compares the two over every span shape rampart and its instrumentations make), in one pass
 * instead of two. The serializer first measures the whole request, then writes it, and copies
 * every string a character at a time in each pass with its fields read per character: under
 * callgrind, encoding was 40,000 of the ~88,000 instructions a recorded span cost, and in
 * time 2.8 us of a span against 1.1 us here (otlp-trace.encoder.bench.ts; docs/performance.md
 * has what it bought end to end). Here each string is copied once, in a loop over locals, ids go
 * from hex to bytes without an array per id, and the writer (protobuf.writer.ts) reserves one
 * byte for a nested message's length and moves its body only when the length needs more (as the
 * serializer's writer does). Attributes are written by the writer this extends
 * (otlp-attributes.writer.ts); spans are grouped into resources and scopes by
 * span-batch.grouping.ts.
 */
export class OtlpTraceEncoder extends OtlpAttributesWriter {
  /** The request for `spans`, grouped by resource and scope as the serializer groups them. */
  encode(spans: readonly ReadableSpan[]): Uint8Array {
    this.reset();
    for (const [resource, scopes] of groupByResourceAndScope(spans)) {
      this.tag(1, WIRE_BYTES);
      const resourceSpans = this.openMessage();
      this.resource(resource);
      for (const scopeSpans of scopes.values()) {
        this.tag(2, WIRE_BYTES);
        const scopeStart = this.openMessage();
        this.scope(scopeSpans[0]!.instrumentationScope);
        for (const span of scopeSpans) {
          this.tag(2, WIRE_BYTES);
          const spanStart = this.openMessage();
          this.span(span);
          this.closeMessage(spanStart);
        }
        const { schemaUrl } = scopeSpans[0]!.instrumentationScope;
        if (schemaUrl) this.stringField(3, schemaUrl);
        this.closeMessage(scopeStart);
      }
      if (resource.schemaUrl) this.stringField(3, resource.schemaUrl);
      this.closeMessage(resourceSpans);
    }
    // A copy: the exporter sends it later, and this buffer serves the next batch.
    return this.written();
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

  private resource(resource: SpanResource): void {
    this.tag(1, WIRE_BYTES);
    const start = this.openMessage();
    if (resource.attributes) this.attributes(1, resource.attributes);
    this.varintField(2, 0);
    this.closeMessage(start);
  }

  private scope(scope: SpanScope): void {
    this.tag(1, WIRE_BYTES);
    const start = this.openMessage();
    this.stringField(1, scope.name);
    if (scope.version) this.stringField(2, scope.version);
    const { attributes, droppedAttributesCount } = scope as SpanScope & {
      attributes?: Attributes;
      droppedAttributesCount?: number;
    };
    if (attributes) this.attributes(3, attributes);
    if (droppedAttributesCount) this.varintField(4, droppedAttributesCount);
    this.closeMessage(start);
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
