import { z } from 'zod';

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
