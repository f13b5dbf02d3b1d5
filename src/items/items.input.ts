import { z } from 'zod';
import { parseInput, parseQuery } from '../openapi/contract.input.js';
import { idempotencyKeyHeader, readIdempotencyKey } from '../openapi/idempotency-key.header.js';
import { decodeCursor, isItemId, ITEM_ID_PATTERN } from './item.cursor.js';
import { isEntityTagList } from './item.etag.js';
import { invisibleAtEdge, VISIBLE_EDGES } from './item.label.js';
import type { ItemInput } from './item.types.js';

export const LIMITS = { name: 200, description: 2_000, tags: 20, tag: 50, page: 100 } as const;

/**
 * The schemas `/api/items` validates with; items.contract.ts documents these same objects.
 * Text is stored exactly as sent, or refused (never altered on the way in):
 * - U+0000: PostgreSQL `text` cannot hold it, and the database must not be the first to object;
 * - an unpaired surrogate has no UTF-8 encoding: it would be stored as U+FFFD, not as sent;
 * - a leading U+FEFF: the embedded PGlite decodes each value with a BOM-stripping TextDecoder,
 *   so it would read back without it (PostgreSQL keeps it; the contract must not depend on it);
 * - names and tags are refused, not trimmed, when they start or end with whitespace, a control
 *   or a character that draws nothing (item.label.ts).
 */
const text = z
  .string()
  .refine((s) => !s.includes('\0'), 'must not contain U+0000 (NUL)')
  .refine((s) => s.isWellFormed(), 'must not contain an unpaired UTF-16 surrogate')
  .refine((s) => !s.startsWith('\uFEFF'), 'must not start with U+FEFF (a byte order mark)');
const label = (max: number) =>
  text
    .min(1)
    .max(max)
    .refine(
      (s) => !invisibleAtEdge(s),
      'must not be blank or start or end with whitespace, a control or an invisible character',
    );

/**
 * `text`'s refusals as the document's `pattern` states them, so that a client validating against
 * it sends nothing the server refuses (test/contract/openapi-document.e2e-spec.ts holds the two
 * to the same verdicts). Lookarounds alone, with the same verdict with or without the `u` flag:
 * a pair's halves are each other's neighbours, and with `u` one code point, so only an unpaired
 * half matches either way.
 */
const TEXT_RULES = String.raw`(?!\uFEFF)(?![\s\S]*?(?:\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]))`;
const TEXT_REFUSES = 'no U+0000, no unpaired surrogate, and no U+FEFF (a byte order mark) first';
const labelMeta = (what: string) => ({
  // `u` flag syntax (Unicode properties): ECMA-262, JSON Schema's dialect, as ajv compiles a pattern.
  pattern: `^${TEXT_RULES}${VISIBLE_EDGES}`,
  description:
    `${what}: ${TEXT_REFUSES}; neither end whitespace, a control or a character that draws ` +
    'nothing (a zero-width space, a bidi mark, a variation selector that selects nothing). ' +
    'Refused (400), never trimmed.',
});

const name = label(LIMITS.name).meta(labelMeta('The item’s name'));
const description = text
  .max(LIMITS.description)
  .meta({ pattern: `^${TEXT_RULES}`, description: `Free text: ${TEXT_REFUSES}.` })
  .nullable();
const tags = z.array(label(LIMITS.tag).meta(labelMeta('A tag'))).max(LIMITS.tags);

// Strict: an unknown field is a client bug (a typo such as `desciption` would otherwise be
// silently dropped and the client would believe it was saved).
export const createBody = z
  .strictObject({ name, description: description.optional(), tags: tags.optional() })
  .meta({ id: 'ItemCreate' });
export const patchBody = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    tags: tags.optional(),
  })
  // `when`: an unknown field is the whole story; "no field at all" would only repeat it.
  .refine((patch) => Object.keys(patch).length > 0, {
    message: 'expected at least one field',
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'ItemPatch', minProperties: 1 });

export const idParams = z.strictObject({
  id: z
    .string()
    .refine(isItemId, 'expected a positive integer id')
    .meta({ pattern: ITEM_ID_PATTERN, description: 'A positive bigint.', examples: ['1'] }),
});

const limitMessage = `expected an integer from 1 to ${LIMITS.page}`;
// Strict: a mistyped parameter (`?cursr=`, `?limt=`) was ignored, and a client paging with it got
// the first page again, forever.
export const pageQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, limitMessage)
    .transform(Number)
    .pipe(z.int().min(1, limitMessage).max(LIMITS.page, limitMessage))
    .optional()
    .meta({ description: 'Page size.', default: 20, examples: [20] }),
  cursor: z
    .string()
    .refine((c) => decodeCursor(c) !== undefined, 'not a valid cursor')
    .optional()
    .meta({ description: '`nextCursor` of the previous page (opaque).' }),
});

export const createHeaders = z.object({
  'idempotency-key': idempotencyKeyHeader(
    'A retry with the same key and body answers the first result, not a second item.',
    '3f6c1b2e-create-kettle',
  ),
});
// RFC 9110 §13.1.1-2: `*` alone, or entity tags. Anything else is refused (400) on every method,
// not read: `W/*` (`*` cannot be weak) stopped a PATCH as `*` would and let a GET through as a
// tag that matches nothing.
const ENTITY_TAGS = 'expected * or a comma-separated list of entity tags ("1.1" or W/"1.1")';
const entityTags = () => z.string().refine(isEntityTagList, ENTITY_TAGS);

// The optional conditions carry no `examples`: /docs (Swagger UI) fills every parameter from
// its example when trying an operation, and a condition nobody asked for made a GET answer 412
// or 304 and a PATCH or DELETE 412. Their ETag's form is in the description instead.
export const getHeaders = z.object({
  'if-match': entityTags()
    .optional()
    .meta({ description: 'Answer only at one of these ETags (`"1.1"`), 412 otherwise.' }),
  'if-none-match': entityTags()
    .optional()
    .meta({ description: 'An ETag you hold (`"1.1"`): 304 while it is current.' }),
});
const writeIfNoneMatch = entityTags().optional().meta({
  description:
    'Not at these ETags (`"1.1"`; weak comparison; `*`: not over an existing item), 412 otherwise.',
});
export const patchHeaders = z.object({
  'if-match': entityTags().meta({
    description: 'The ETag the change is based on (428 without it, 412 when stale).',
    examples: ['"1.1"'],
  }),
  'if-none-match': writeIfNoneMatch,
});
export const deleteHeaders = z.object({
  'if-match': entityTags()
    .optional()
    .meta({ description: 'Delete only this version (`"1.1"`), 412 when stale.' }),
  'if-none-match': writeIfNoneMatch,
});

/** Validates a create body; 400 INVALID_INPUT names every bad field. */
export function parseCreate(body: unknown): Required<Pick<ItemInput, 'name'>> & ItemInput {
  return parseInput(createBody, body);
}

/** Validates a PATCH body (at least one field). */
export function parsePatch(body: unknown): ItemInput {
  return parseInput(patchBody, body);
}

/** Path id: a positive bigint. */
export function parseId(raw: string): string {
  return parseInput(idParams, { id: raw }).id;
}

/** `?limit=` (1..100, default 20) and `?cursor=` (opaque, from a previous page). */
export function parsePage(query: unknown): { limit: number; after?: string } {
  const { limit, cursor } = parseQuery(pageQuery, query);
  return { limit: limit ?? 20, after: cursor === undefined ? undefined : decodeCursor(cursor) };
}

/**
 * If-Match and If-None-Match, when sent: 400 INVALID_INPUT naming each that is neither `*` nor a
 * list of entity tags. `schema` is the route's (PATCH's requires If-Match: check its 428 first).
 */
export function checkConditions(
  schema: typeof getHeaders | typeof patchHeaders | typeof deleteHeaders,
  ifMatch: string | undefined,
  ifNoneMatch: string | undefined,
): void {
  if (ifMatch === undefined && ifNoneMatch === undefined) return;
  parseInput(schema, { 'if-match': ifMatch, 'if-none-match': ifNoneMatch });
}

/** The Idempotency-Key header, when sent (400 when malformed or sent twice). */
export function parseIdempotencyKey(
  request: Parameters<typeof readIdempotencyKey>[1],
): string | undefined {
  return readIdempotencyKey(createHeaders, request);
}
