import type { z } from 'zod';
import type { FieldProblem } from '../errors/app.error.js';
import { InvalidInputError } from '../errors/http.errors.js';

/**
 * Validates one part of a request with its contract schema; 400 INVALID_INPUT names every bad
 * field (an unknown field by its own name, so `{"desciption": …}` reads as the typo it is).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(
    result.error.issues.flatMap((issue): FieldProblem[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: key, message: 'unknown field' }))
        : [{ field: issue.path.join('.') || 'body', message: issue.message }],
    ),
  );
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
