import { isAppError } from '../errors/app.error.js';
import { DbStatementTimeoutError, DbUnavailableError } from './database.errors.js';

// SQLSTATEs meaning "this server or session cannot serve you now" (postgresql.org/docs/15/errcodes-appendix.html):
// class 08 connection exception, 57P01-57P03 shutdown/cannot connect now, 53300 too many
// connections, 3D000 database missing (dropped or not yet created).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|3D000)$/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres reports a lost socket or a connect timeout as plain Errors without a code.
const NETWORK_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|connection error|not queryable|Client was closed/i;

/**
 * Turns what a driver threw into the answer the client should get. The request's own abort
 * (deadline → 504, disconnect) wins over whatever the cancelled statement reported; lost
 * connections become DB_UNAVAILABLE; SQL errors (unique violation, ...) pass through untouched
 * for the repository to interpret.
 */
export function classifyDriverError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (isAppError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '57014') return new DbStatementTimeoutError(error);
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || NETWORK_CODES.has(code))) {
    return new DbUnavailableError(error);
  }
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof code !== 'string' && typeof message === 'string' && NETWORK_MESSAGE.test(message)) {
    return new DbUnavailableError(error);
  }
  return error;
}

/**
 * What a failed connect answers: the abort's reason, or 503 DB_UNAVAILABLE whatever the server
 * or the network said (refused, reset, timed out, no slot left (53300), no such database, a role
 * or password refused (class 28), a password it asks for and the URL lacks). No statement was
 * sent, so nothing is a SQL error for a repository to read: passed on as one (what
 * classifyDriverError does not name), it answered 500 (a counter's "statement failed, none was
 * applied") and the breaker counted it as an answer, staying closed while every request failed.
 */
export function classifyConnectError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  return isAppError(error) ? error : new DbUnavailableError(error);
}

/** SQLSTATE 53300: the server is up and has no connection slot left (max_connections). */
export const TOO_MANY_CONNECTIONS = '53300';

/**
 * Whether a failed call only found the server out of connection slots: it answered, and the
 * pool's open connections still work, so the breaker must not count it as the server down (it
 * opened on it, and the pool's working connection sat idle behind DB_CIRCUIT_OPEN).
 */
export function isOutOfConnectionSlots(error: unknown): boolean {
  return sqlState((error as { cause?: unknown } | null)?.cause) === TOO_MANY_CONNECTIONS;
}

/**
 * SQLSTATE 42P01 undefined_table: a statement named a table the server lacks. rampart's SQL
 * names only its own tables, so the schema is not there (schema.startup.ts, `lost`).
 */
export function isMissingTable(error: unknown): boolean {
  return sqlState(error) === '42P01';
}

/** A SQL error a repository may act on (23505 unique_violation, 23514 check_violation, ...). */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
