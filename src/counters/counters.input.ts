import type { FieldProblem } from '../errors/app.error.js';
import { InvalidInputError } from '../errors/http.errors.js';

export const MAX_STEP = 1_000_000_000;

/** Path name: letters, digits, `_ . -`, at most 64. */
export function parseCounterName(raw: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) {
    throw new InvalidInputError([{ field: 'name', message: 'expected 1-64 of A-Z a-z 0-9 _ . -' }]);
  }
  return raw;
}

/** Body `{by?: integer}` (default 1); no body at all means `{}`. */
export function parseIncrement(body: unknown): number {
  if (body === undefined || body === null) return 1;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError([{ field: 'body', message: 'expected a JSON object' }]);
  }
  const problems: FieldProblem[] = Object.keys(body)
    .filter((key) => key !== 'by')
    .map((field) => ({ field, message: 'unknown field' }));
  const by = (body as { by?: unknown }).by;
  if (by !== undefined && !(Number.isInteger(by) && Math.abs(by as number) <= MAX_STEP)) {
    problems.push({ field: 'by', message: `expected an integer from -${MAX_STEP} to ${MAX_STEP}` });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return (by as number | undefined) ?? 1;
}
