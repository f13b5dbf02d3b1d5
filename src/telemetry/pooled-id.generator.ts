import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

/** Random bytes fetched at once: 4 KiB covers ~170 requests (a trace id and a span id each). */
const POOL_BYTES = 4096;
const ZERO = 0x30; // '0'

/**
 * Trace and span ids sliced from a hex string of cryptographically random bytes, refilled
 * every 4 KiB. Every request starts a span, sampled or not (its ids go into the logs and the
 * `traceparent` sent downstream), and the SDK's RandomIdGenerator writes Math.random() into a
 * buffer and hex-encodes it per id; slicing one pre-encoded string is a fraction of that
 * (pooled-id.generator.bench.ts).
 */
export class PooledIdGenerator implements IdGenerator {
  private pool = '';
  private offset = 0;

  generateTraceId(): string {
    const id = this.take(32);
    return isAllZeroId(id) ? this.generateTraceId() : id;
  }

  generateSpanId(): string {
    const id = this.take(16);
    return isAllZeroId(id) ? this.generateSpanId() : id;
  }

  /** The next `hexDigits` characters of the pool; an id never spans two refills. */
  private take(hexDigits: number): string {
    if (this.offset + hexDigits > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES)).toString('hex');
      this.offset = 0;
    }
    const id = this.pool.slice(this.offset, this.offset + hexDigits);
    this.offset += hexDigits;
    return id;
  }
}

/**
 * Whether a hex id is all zeros, the W3C's invalid id. Read a character at a time, not compared
 * with a string of zeros: a pooled id is a slice of the pool, and V8 compares a sliced string
 * with another string of its length in its runtime, ~200 instructions, three times a request
 * with tracing on (both ids here and the access line's check; callgrind, GET /hello). A random
 * id's first character decides 15 times in 16.
 */
export function isAllZeroId(id: string): boolean {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== ZERO) return false;
  return id.length > 0;
}
