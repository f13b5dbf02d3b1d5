import { AppError, hasCode } from '../errors/app.error.js';
import type { ProblemCode } from '../errors/problem.catalog.js';

/** What any route that queries the database can answer on its behalf (for API contracts). */
export const DATABASE_PROBLEMS = [
  'DB_POOL_TIMEOUT',
  'DB_POOL_SATURATED',
  'DB_QUEUE_FULL',
  'DB_CIRCUIT_OPEN',
  'DB_UNAVAILABLE',
  'DB_QUERY_TIMEOUT',
  'DB_STATEMENT_TIMEOUT',
] as const satisfies readonly ProblemCode[];

/** No connection became free within the wait this request could afford: back off and retry. */
export class DbPoolTimeoutError extends AppError {
  constructor(waitedMs: number) {
    super('DB_POOL_TIMEOUT', 503, `No database connection became free within ${waitedMs} ms.`, {
      retryAfterSeconds: 1,
    });
  }
}

/**
 * Refused before queueing: the request's remaining deadline is shorter than the estimated wait
 * for a connection plus a typical hold, so waiting would only turn a fast 503 into a late 504.
 */
export class DbPoolSaturatedError extends AppError {
  constructor(remainingMs: number, estimatedMs: number) {
    super(
      'DB_POOL_SATURATED',
      503,
      `Every database connection is busy: a connection is expected in ~${Math.round(estimatedMs)} ms, ` +
        `the request has ${Math.max(0, Math.round(remainingMs))} ms left.`,
      { retryAfterSeconds: 1 },
    );
  }
}

/** Refused before queueing: DB_POOL_QUEUE_MAX callers already wait for a connection. */
export class DbQueueFullError extends AppError {
  constructor(queueMax: number) {
    super('DB_QUEUE_FULL', 503, `${queueMax} requests already wait for a database connection.`, {
      retryAfterSeconds: 1,
    });
  }
}

/** The database breaker is open: recent calls failed or hung, so none is sent until it answers. */
export class DbCircuitOpenError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('DB_CIRCUIT_OPEN', 503, 'The database is not answering; requests are not sent to it.', {
      retryAfterSeconds,
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

/**
 * The schema is not in place: the start-up migrations have not applied yet (the server was away),
 * or a statement found a table of it missing (a new, empty server) and they are applied again
 * (schema.startup.ts). DB_UNAVAILABLE to the client, as the server being away is; not a failure
 * of the server to the breaker, nor a write in doubt: the statement changed nothing.
 */
export class DbSchemaPendingError extends AppError {
  constructor(cause: unknown) {
    super('DB_UNAVAILABLE', 503, 'The database schema is being applied.', {
      retryAfterSeconds: 1,
      cause,
    });
  }
}

/**
 * No answer within DB_QUERY_TIMEOUT_MS (client side): the server stopped answering, so the
 * connection was destroyed. A write's outcome is unknown; retry it with its Idempotency-Key.
 */
export class DbQueryTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super('DB_QUERY_TIMEOUT', 503, `The database did not answer within ${timeoutMs} ms.`, {
      retryAfterSeconds: 1,
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

export const isDbUnavailable = (e: unknown): e is DbUnavailableError =>
  hasCode(e, 'DB_UNAVAILABLE');

export const isDbQueryTimeout = (e: unknown): e is DbQueryTimeoutError =>
  hasCode(e, 'DB_QUERY_TIMEOUT');

export const isDbSchemaPending = (e: unknown): e is DbSchemaPendingError =>
  e instanceof DbSchemaPendingError;

/** What the database breaker counts as the server failing (not busy, not a SQL error, not a
 * schema being applied: the server answered). */
export const isDbFailure = (e: unknown): boolean =>
  (isDbUnavailable(e) && !isDbSchemaPending(e)) || isDbQueryTimeout(e);
