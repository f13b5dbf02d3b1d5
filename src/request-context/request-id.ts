import { randomBytes } from 'node:crypto';

/** A caller's `x-request-id` that is kept (the probe port's thread applies it too). */
export const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Hex digits of the per-request counter: 48 bits, more ids than a process makes. */
const COUNTER_DIGITS = 12;
const COUNTER_PAD = '0'.repeat(COUNTER_DIGITS);

/**
 * UUID-shaped request ids (RFC 9562 layout, version 8: vendor-defined) made of 74 random bits
 * drawn once per process and a 48-bit counter, as Go services' xid and ksuid pair a process
 * part with a counter. Unique across pods by the random part, within the process by the
 * counter; a correlation id, not a secret (a client may send its own). randomUUID() per request
 * drew and hex-encoded 16 random bytes and returned a rope of 20 pieces (~490 B) that lived as
 * long as the request; this is two pieces from one addition (request-id.bench.ts).
 */
export class RequestIds {
  private readonly prefix: string;
  private counter = 0;

  constructor(random: Buffer = randomBytes(10)) {
    const hex = random.toString('hex');
    // xxxxxxxx-xxxx-8xxx-Vxxx-: version 8; variant bits 10 (V is 8, 9, a or b).
    const variant = ((random[9]! & 0x3) | 0x8).toString(16);
    this.prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(15, 18)}-`;
  }

  next(): string {
    const count = (++this.counter).toString(16);
    return this.prefix + (COUNTER_PAD.slice(count.length) + count);
  }
}

const ids = new RequestIds();

/** A new request id (for answers made before any request id exists: client errors). */
export function newRequestId(): string {
  return ids.next();
}

/**
 * Honours a sane incoming `x-request-id`, otherwise makes one. Fastify's genReqId on both
 * listeners, and admission's refusals before Fastify runs.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : ids.next();
}
