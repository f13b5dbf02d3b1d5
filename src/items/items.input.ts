import { z } from 'zod';
import type { FieldProblem } from '../errors/app.error.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { decodeCursor, isItemId } from './item.cursor.js';
import type { ItemInput } from './item.types.js';

export const LIMITS = { name: 200, description: 2_000, tags: 20, tag: 50, page: 100 } as const;

/**
 * Text is stored exactly as sent, or refused (never altered on the way in):
 * - U+0000: PostgreSQL `text` cannot hold it, and the database must not be the first to object;
 * - an unpaired surrogate has no UTF-8 encoding: it would be stored as U+FFFD, not as sent;
 * - a leading U+FEFF: the embedded PGlite decodes each value with a BOM-stripping TextDecoder,
 *   so it would read back without it (PostgreSQL keeps it; the contract must not depend on it);
 * - names and tags are refused, not trimmed, when they start or end with whitespace.
 */
// With the `u` flag a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const text = z
  .string()
  .refine((s) => !s.includes('\0'), 'must not contain U+0000 (NUL)')
  .refine((s) => !LONE_SURROGATE.test(s), 'must not contain an unpaired UTF-16 surrogate')
  .refine((s) => !s.startsWith('\uFEFF'), 'must not start with U+FEFF (a byte order mark)');
const label = (max: number) =>
  text
    .min(1)
    .max(max)
    .refine((s) => s.trim() === s, 'must not be blank or start or end with whitespace');

const name = label(LIMITS.name);
const description = text.max(LIMITS.description).nullable();
const tags = z.array(label(LIMITS.tag)).max(LIMITS.tags);

// Strict: an unknown field is a client bug (a typo such as `desciption` would otherwise be
// silently dropped and the client would believe it was saved).
const createSchema = z.strictObject({
  name,
  description: description.optional(),
  tags: tags.optional(),
});
const patchSchema = z.strictObject({
  name: name.optional(),
  description: description.optional(),
  tags: tags.optional(),
});

/** Validates a create body; 400 INVALID_INPUT names every bad field. */
export function parseCreate(body: unknown): Required<Pick<ItemInput, 'name'>> & ItemInput {
  return parse(createSchema, body);
}

/** Validates a PATCH body (at least one field). */
export function parsePatch(body: unknown): ItemInput {
  const patch = parse(patchSchema, body);
  if (Object.keys(patch).length === 0) throw invalid('body', 'expected at least one field');
  return patch;
}

/** Path id: a positive bigint. */
export function parseId(raw: string): string {
  if (!isItemId(raw)) throw invalid('id', 'expected a positive integer id');
  return raw;
}

/** `?limit=` (1..100, default 20) and `?cursor=` (opaque, from a previous page). */
export function parsePage(query: Record<string, unknown>): { limit: number; after?: string } {
  const problems: FieldProblem[] = [];
  let limit = 20;
  if (query.limit !== undefined) {
    const raw = query.limit;
    limit = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= LIMITS.page)) {
      problems.push({ field: 'limit', message: `expected an integer from 1 to ${LIMITS.page}` });
    }
  }
  let after: string | undefined;
  if (query.cursor !== undefined) {
    after = typeof query.cursor === 'string' ? decodeCursor(query.cursor) : undefined;
    if (after === undefined) problems.push({ field: 'cursor', message: 'not a valid cursor' });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { limit, after };
}

/** Idempotency-Key: printable ASCII, at most 255 characters (IETF draft-ietf-httpapi-idempotency-key-header). */
export function parseIdempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(raw)) {
    throw invalid('idempotency-key', 'expected 1-255 printable ASCII characters');
  }
  return raw;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body', 'expected a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue): FieldProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: 'unknown field' }))
      : [{ field: issue.path.join('.') || 'body', message: issue.message }],
  );
  throw new InvalidInputError(problems);
}

function invalid(field: string, message: string): InvalidInputError {
  return new InvalidInputError([{ field, message }]);
}
