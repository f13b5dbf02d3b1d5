const INITIAL_BYTES = 256 * 1024;
export const TWO_POW_32 = 4_294_967_296;
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;
const UTF8 = new TextEncoder();

/**
 * Protocol buffers' wire format, written into one growing buffer that is reused from message to
 * message (otlp-attributes.writer.ts and otlp-trace.encoder.ts write OTLP's messages with it).
 * Fields are written in one pass: a nested message reserves one byte for its length
 * (`openMessage`) and `closeMessage` moves its body only when the length needs more.
 */
export class ProtobufWriter {
  protected buf: Uint8Array;
  protected view: DataView;
  protected pos = 0;

  constructor(initialBytes = INITIAL_BYTES) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Starts the next message at the buffer's start. */
  protected reset(): void {
    this.pos = 0;
  }

  /** A copy of what was written since `reset`. */
  protected written(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  protected stringField(field: number, value: string): void {
    this.tag(field, WIRE_BYTES);
    const length = value.length;
    // Room for the longest UTF-8 form and its length.
    this.ensure(length * 3 + 5);
    const start = this.openMessage();
    const buf = this.buf;
    let pos = this.pos;
    let i = 0;
    for (; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) break;
      buf[pos++] = code;
    }
    // Past ASCII: the whole string again through the platform's UTF-8 encoder (as the
    // serializer does, lone surrogates become U+FFFD).
    if (i < length) pos = this.pos + UTF8.encodeInto(value, buf.subarray(this.pos)).written;
    this.pos = pos;
    this.closeMessage(start);
  }

  /** Bytes already in the wire format (a list of fields encoded apart), as they are. */
  protected raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  protected varintField(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  protected fixed32Field(field: number, value: number): void {
    if (!value) return;
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  protected tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  protected varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    // Negative or past 32 bits: two's complement over 64 bits, ten bytes at most.
    let low: number;
    let high: number;
    const magnitude = Math.abs(value);
    low = magnitude >>> 0;
    high = (magnitude / TWO_POW_32) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  /** Reserves one byte for a nested message's length; returns where its body starts. */
  protected openMessage(): number {
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  /** Writes the length of the message whose body began at `start`, moving the body if needed. */
  protected closeMessage(start: number): void {
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[start - 1] = length;
      return;
    }
    let extra = 1;
    while (length >= 2 ** (7 * (extra + 1))) extra++;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    this.pos += extra;
    let at = start - 1;
    let v = length;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  protected ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}
