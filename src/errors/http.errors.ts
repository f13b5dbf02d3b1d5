import { AppError, type FieldProblem } from './app.error.js';

/** A query parameter, header, path parameter or body field failed validation. */
export class InvalidInputError extends AppError {
  constructor(problems: FieldProblem[], code = 'INVALID_INPUT') {
    super(code, 400, problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
      errors: problems,
    });
  }
}
