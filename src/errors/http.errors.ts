import { AppError, type FieldProblem } from './app.error.js';
import { cut } from './client-text.js';

/** Problems an answer lists; the rest are counted (`moreErrors`). */
const LISTED_PROBLEMS = 20;

/**
 * A query parameter, header, path parameter or body field failed validation. The answer lists
 * the first 20 problems, each text cut at 200 characters: a 957 KB body of 120,000 unknown keys
 * got a 7.4 MB answer that took the loop 0.4 s to build (each key named twice, in `detail` and
 * `errors`), and four such requests held `/hello` for a second.
 */
export class InvalidInputError extends AppError {
  constructor(problems: FieldProblem[], code = 'INVALID_INPUT') {
    // A schema may report one problem twice (a number past 2^53 failed both `int` and its
    // bounds with one message): each is listed once.
    const distinct = unique(problems);
    const listed = distinct
      .slice(0, LISTED_PROBLEMS)
      .map((p) => ({ field: cut(p.field), message: cut(p.message) }));
    const more = distinct.length - listed.length;
    const detail = listed.map((p) => `${p.field}: ${p.message}`).join('; ');
    super(code, 400, more > 0 ? `${detail}; and ${more} more` : detail, {
      errors: listed,
      ...(more > 0 && { extensions: { moreErrors: more } }),
    });
  }
}

function unique(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
