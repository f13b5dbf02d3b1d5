import { z } from 'zod';
import { InvalidInputError } from '../errors/http.errors.js';
import { parseInput } from '../openapi/contract.input.js';
import { denotesExactly } from '../protocol/json-number.exact.js';

export const MAX_STEP = 1_000_000_000;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Dot segments: a client or proxy that normalises the path can never reach them.
const notDotSegment = (name: string): boolean => name !== '.' && name !== '..';
/**
 * NAME without the dot segments, as one regular expression without lookahead (which not every
 * client's regex engine has): the OpenAPI document states it, so a client validating against the
 * document refuses what the route refuses (`^[A-Za-z0-9_.-]{1,64}$` let `.` and `..` through to
 * a 400). A first character other than a dot, or a dot and then another, or two dots and more.
 */
export const COUNTER_NAME_PATTERN =
  '^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}|\\.[A-Za-z0-9_-][A-Za-z0-9_.-]{0,62}|\\.\\.[A-Za-z0-9_.-]{1,62})$';

/** The schemas `/api/counters` validates with; counters.contract.ts documents these objects. */
export const counterParams = z.strictObject({
  name: z
    .string()
    .regex(NAME, 'expected 1-64 of A-Z a-z 0-9 _ . -')
    .refine(notDotSegment, 'must not be . or ..')
    .meta({ pattern: COUNTER_NAME_PATTERN, examples: ['visits'] }),
});

const stepMessage = `expected an integer from -${MAX_STEP} to ${MAX_STEP}`;
export const incrementBody = z
  .strictObject({
    by: z
      .int(stepMessage)
      .min(-MAX_STEP, stepMessage)
      .max(MAX_STEP, stepMessage)
      .optional()
      .meta({ description: 'Added to the counter (default 1; negative subtracts).', default: 1 }),
  })
  .meta({ id: 'CounterIncrement' });

/** A counter and its value (after this request's increment, for POST). */
export const counterSchema = z
  .object({ name: z.string(), value: z.int() })
  .meta({ id: 'Counter', examples: [{ name: 'visits', value: 42 }] });

/**
 * Path name: letters, digits, `_ . -`, at most 64. A valid name (every increment of a hot
 * counter) passes the schema's own pattern without a schema parse: ~60 against ~150 ns
 * (counters.input.bench.ts). The schema still words the 400 of an invalid one.
 */
export function parseCounterName(raw: string): string {
  if (NAME.test(raw) && notDotSegment(raw)) return raw;
  return parseInput(counterParams, { name: raw }).name;
}

/**
 * Body `{by?: integer}` (default 1); no body at all means `{}`, and JSON null is refused. `text`,
 * the body as sent (RequestState.bodyText): `by` must be the integer its literal denotes, not
 * only the double JSON.parse rounded it to, or 1000000000.0000000001 (past the limit) would add
 * 1,000,000,000 and 1e-400 would add 0.
 */
export function parseIncrement(body: unknown, text?: string): number {
  if (body === undefined) return 1;
  const by = parseInput(incrementBody, body).by;
  if (by === undefined) return 1;
  const literal = text === undefined ? undefined : lastNumberLiteral(text);
  if (text !== undefined && (literal === undefined || !denotesExactly(literal, by))) {
    throw new InvalidInputError([{ field: 'by', message: stepMessage }]);
  }
  return by;
}

// The body is a strict object whose only key is `by`, written once (the body parser refuses a
// repeated key: protocol/json.duplicate-keys.ts): the only number outside strings is `by`'s.
// Found as the last number outside strings, so a key written with escapes (`"\u0062y"`) is found too:
// looking for the text `"by"` let `{"\u0062y":1000000000.0000000001}` add 1,000,000,000.
const TOKEN = /"(?:[^"\\]|\\.)*"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

function lastNumberLiteral(text: string): string | undefined {
  let literal: string | undefined;
  for (const match of text.matchAll(TOKEN)) if (match[1] !== undefined) literal = match[1];
  return literal;
}
