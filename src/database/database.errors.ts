import { AppError } from '../errors/app.error.js';

/** Every connection stayed busy for DB_POOL_ACQUIRE_TIMEOUT_MS: back off and retry. */
export class DbPoolTimeoutError extends AppError {
  constructor(waitedMs: number) {
    super('DB_POOL_TIMEOUT', 503, `No database connection became free within ${waitedMs} ms.`, {
      retryAfterSeconds: 1,
    });
  }
}

/** The database cannot be reached (refused, reset, shutting down, connect timeout). */
export class DbUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('DB_UNAVAILABLE', 503, 'The database is unavailable.', {
      retryAfterSeconds: 1,
      cause,
    });
  }
}

/** The server cancelled the statement at DB_STATEMENT_TIMEOUT_MS (not the request's deadline). */
export class DbStatementTimeoutError extends AppError {
  constructor(cause: unknown) {
    super('DB_STATEMENT_TIMEOUT', 503, 'The database statement took too long.', {
      retryAfterSeconds: 1,
      cause,
    });
  }
}

export const isDbPoolTimeout = (e: unknown): e is DbPoolTimeoutError =>
  e instanceof AppError && e.code === 'DB_POOL_TIMEOUT';

export const isDbUnavailable = (e: unknown): e is DbUnavailableError =>
  e instanceof AppError && e.code === 'DB_UNAVAILABLE';
