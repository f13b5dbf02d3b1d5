import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ProtobufWriter, WIRE_BYTES, WIRE_FIXED64 } from './protobuf.writer.js';

// An integer outside int64 is a double_value, as the serializer's writeAnyValue writes it.
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
/** Attribute keys whose encoding is kept: rampart's spans use a few dozen. */
const MAX_KEY_FIELDS = 256;

/**
 * OTLP's attributes (common.proto's KeyValue and AnyValue), byte for byte as
 * `@opentelemetry/otlp-transformer` writes them. Every OTLP message that carries attributes
 * (a resource, a scope, a span, its events and links) writes them here; the trace encoder
 * (otlp-trace.encoder.ts) extends this writer, so the encoding stays one pass over one buffer.
 */
export class OtlpAttributesWriter extends ProtobufWriter {
  /**
   * Each attribute key's KeyValue field 1 (tag, length, UTF-8), as first written: every span
   * repeats the same dozen keys, ~200 characters a span copied rather than encoded again
   * (otlp-trace.encoder.bench.ts, the two builds in turn: 2,146-2,593 ns a span against
   * 2,428-3,024). Bounded: keys a caller makes up as it goes are encoded each time once it is
   * full.
   */
  private readonly keyFields = new Map<string, Uint8Array>();

  /** Each own property of `attributes` as a KeyValue in `field`, in property order. */
  protected attributes(field: number, attributes: Attributes): void {
    for (const key in attributes) {
      if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
      this.tag(field, WIRE_BYTES);
      const keyValue = this.openMessage();
      this.keyValue(key, attributes[key]);
      this.closeMessage(keyValue);
    }
  }

  private keyValue(key: string, value: unknown): void {
    this.keyField(key);
    this.tag(2, WIRE_BYTES);
    const start = this.openMessage();
    this.anyValue(value);
    this.closeMessage(start);
  }

  private keyField(key: string): void {
    const known = this.keyFields.get(key);
    if (known !== undefined) {
      this.raw(known);
      return;
    }
    const start = this.pos;
    this.stringField(1, key);
    if (this.keyFields.size < MAX_KEY_FIELDS) {
      this.keyFields.set(key, this.buf.slice(start, this.pos));
    }
  }

  /** An AnyValue's one field; nothing for undefined or null (an empty AnyValue). */
  private anyValue(value: unknown): void {
    switch (typeof value) {
      case 'string':
        this.stringField(1, value);
        return;
      case 'boolean':
        this.varintField(2, value ? 1 : 0);
        return;
      case 'number':
        if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
          this.varintField(3, value);
        } else {
          this.tag(4, WIRE_FIXED64);
          this.ensure(8);
          this.view.setFloat64(this.pos, value, true);
          this.pos += 8;
        }
        return;
    }
    if (value instanceof Uint8Array) {
      this.tag(7, WIRE_BYTES);
      this.varint(value.length);
      this.ensure(value.length);
      this.buf.set(value, this.pos);
      this.pos += value.length;
    } else if (Array.isArray(value)) {
      this.tag(5, WIRE_BYTES);
      const array = this.openMessage();
      for (const item of value as AttributeValue[]) {
        this.tag(1, WIRE_BYTES);
        const start = this.openMessage();
        this.anyValue(item);
        this.closeMessage(start);
      }
      this.closeMessage(array);
    } else if (typeof value === 'object' && value !== null) {
      this.tag(6, WIRE_BYTES);
      const list = this.openMessage();
      const entries = value as Record<string, unknown>;
      for (const key in entries) {
        if (!Object.prototype.hasOwnProperty.call(entries, key)) continue;
        this.tag(1, WIRE_BYTES);
        const start = this.openMessage();
        this.keyValue(key, entries[key]);
        this.closeMessage(start);
      }
      this.closeMessage(list);
    }
  }
}
