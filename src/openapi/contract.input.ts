import { z } from 'zod';
import type { FieldProblem } from '../errors/app.error.js';
import { InvalidInputError } from '../errors/http.errors.js';

/**
 * Validates one part of a request with its contract schema; 400 INVALID_INPUT names every bad
 * field (an unknown field by its own name, so `{"desciption": …}` reads as the typo it is).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(fieldProblems(result.error, value));
}

/**
 * parseInput for a query string, where an array in place of a string can only be a parameter
 * given twice (`?limit=1&limit=2`), and is answered as such. In a JSON body it is an array the
 * client sent once: `{"name": ["x"]}` was told "name: given more than once".
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  throw new InvalidInputError(fieldProblems(result.error, query, true));
}

/**
 * The query of a route that takes no parameter: each one sent is 400 INVALID_INPUT "unknown query
 * parameter" naming it, as a mistyped one is where a route takes some (`?cursr=`). Ignored, a
 * parameter a client believes in (`DELETE /api/items/7?ifVersion=3`, `?dryRun=true`) did nothing
 * it was told, and the request went ahead.
 */
export const noQuery = z.strictObject({});

/**
 * parseQuery(noQuery, query): refuses any parameter; a request without one is not parsed.
 * Object.keys, not a for…in stopping at the first key: no faster on `{}`, the router's query of a
 * request without one (contract.input.bench.ts).
 */
export function refuseQuery(query: unknown): void {
  if (typeof query === 'object' && query !== null && Object.keys(query).length > 0) {
    parseQuery(noQuery, query);
  }
}

/**
 * The problems of a failed parse of `value`, as every 400 INVALID_INPUT names them: each field
 * by its path (`tags.0`), an unknown one by its own name, the whole input as `body`. Also for
 * bodies parsed without `parseInput` (the admin port's fault settings), whose unknown field was
 * `body: Unrecognized key: "errorRat"`.
 */
export function fieldProblems(error: z.ZodError, value: unknown, query = false): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: [...issue.path, key].join('.'),
          message: query ? 'unknown query parameter' : 'unknown field',
        }))
      : [{ field: issue.path.join('.') || 'body', message: messageOf(issue, value, query) }],
  );
}

// A query parameter given twice (`?limit=1&limit=2`) reaches the schema as an array; zod's own
// words ("expected string, received array") describe the parser, not what the client sent. Also
// said of a header sent twice (idempotency-key.header.ts).
export const REPEATED = 'given more than once; send it once';

// A route reading a body got none (no content, whatever its Content-Type): zod's "expected object,
// received undefined" named the parser's value, not what the request lacked.
const NO_BODY = 'a JSON object is required (Content-Type: application/json)';

function messageOf(issue: z.core.$ZodIssue, value: unknown, query: boolean): string {
  if (issue.code === 'invalid_type' && issue.path.length === 0 && value === undefined)
    return NO_BODY;
  if (!query || issue.code !== 'invalid_type' || issue.expected !== 'string') return issue.message;
  let at = value;
  for (const key of issue.path) at = (at as Record<PropertyKey, unknown> | undefined)?.[key];
  return Array.isArray(at) ? REPEATED : issue.message;
}

/**
 * The headers a contract names (in lower case, as Node keys them and HTTP/2 sends them), ready
 * for `parseInput`; any other header is not the route's business.
 */
export function pickHeaders(
  schema: z.ZodObject,
  headers: Record<string, string | string[] | undefined>,
): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = headers[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}
