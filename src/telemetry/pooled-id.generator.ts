import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

/** Random bytes fetched at once: 4 KiB covers ~170 requests (a trace id and a span id each). */
const POOL_BYTES = 4096;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

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
    return id === INVALID_TRACE_ID ? this.generateTraceId() : id;
  }

  generateSpanId(): string {
    const id = this.take(16);
    return id === INVALID_SPAN_ID ? this.generateSpanId() : id;
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
