import { z } from 'zod';

/**
 * The Idempotency-Key request header (draft-ietf-httpapi-idempotency-key-header): printable
 * ASCII, at most 255 characters. Optional; `description` says what the route does with it.
 */
export const idempotencyKeyHeader = (description: string, example: string) =>
  z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'expected 1-255 printable ASCII characters')
    .optional()
    .meta({ description, examples: [example] });
