import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { InvalidInputError } from '../errors/http.errors.js';
import { repeated } from '../protocol/raw-headers.js';
import { parseInput, REPEATED } from './contract.input.js';

/**
 * The Idempotency-Key request header (draft-ietf-httpapi-idempotency-key-header): visible ASCII
 * (RFC 5234 VCHAR, %x21-7E: no space), at most 255 characters. Optional; `description` says what
 * the route does with it. The message names the space: "printable" includes it, and a key with
 * one was refused as not printable.
 */
export const idempotencyKeyHeader = (description: string, example: string) =>
  z
    .string()
    .regex(
      /^[\x21-\x7e]{1,255}$/,
      'expected 1-255 visible ASCII characters (no space or control character)',
    )
    .optional()
    .meta({ description, examples: [example] });

/** A route's headers schema holding the key (items.input.ts, mesh-checks.contract.ts). */
type KeyHeaders = z.ZodObject<{ 'idempotency-key': ReturnType<typeof idempotencyKeyHeader> }>;

/**
 * The request's Idempotency-Key, checked by `schema`. Sent on two lines, the key reached the
 * schema as Node joins them ("k1, k2") and was refused as holding a space; it is said to be
 * given twice, as x-request-timeout is. A valid key has no space, so the raw lines are counted
 * only for a value with ", ": nothing on the common path.
 */
export function readIdempotencyKey(
  schema: KeyHeaders,
  request: { headers: IncomingHttpHeaders; raw: { rawHeaders: string[] } },
): string | undefined {
  const key = request.headers['idempotency-key'];
  if (
    typeof key === 'string' &&
    key.includes(', ') &&
    repeated(request.raw.rawHeaders, 'idempotency-key')
  ) {
    throw new InvalidInputError([{ field: 'idempotency-key', message: REPEATED }]);
  }
  return parseInput(schema, { 'idempotency-key': key })['idempotency-key'];
}
