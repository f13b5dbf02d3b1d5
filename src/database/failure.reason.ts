/**
 * `error` and the causes it carries, outermost first: the driver wraps the server's or the
 * network's own error one or more levels down. Five deep at most (a cause cycle ends there too).
 */
export function* causeChain(error: unknown, depth = 5): Generator<Error> {
  for (let e = error, seen = 0; e instanceof Error && seen < depth; e = e.cause, seen++) yield e;
}

/**
 * The server's or the network's own words for a failed database call, for the breaker's log
 * lines: the innermost cause's message, with its code (a SQLSTATE, an errno name) when it has
 * one — `database "app" does not exist (3D000)`, `connect ECONNREFUSED 10.0.0.5:5432
 * (ECONNREFUSED)`. A DB_UNAVAILABLE alone reads the same for each. The server's messages name a
 * user, a database or a host, never a password.
 */
export function failureReason(error: unknown): string {
  let innermost = error;
  // The error and up to five causes below it.
  for (const e of causeChain(error, 6)) innermost = e;
  if (!(innermost instanceof Error)) return String(innermost);
  const code = (innermost as { code?: unknown }).code;
  return typeof code === 'string' ? `${innermost.message} (${code})` : innermost.message;
}
