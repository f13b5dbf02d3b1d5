/**
 * The server's or the network's own words for a failed database call, for the breaker's log
 * lines: the innermost cause's message, with its code (a SQLSTATE, an errno name) when it has
 * one — `database "app" does not exist (3D000)`, `connect ECONNREFUSED 10.0.0.5:5432
 * (ECONNREFUSED)`. A DB_UNAVAILABLE alone reads the same for each. The server's messages name a
 * user, a database or a host, never a password.
 */
export function failureReason(error: unknown): string {
  let innermost = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (innermost as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    innermost = cause;
  }
  if (!(innermost instanceof Error)) return String(innermost);
  const code = (innermost as { code?: unknown }).code;
  return typeof code === 'string' ? `${innermost.message} (${code})` : innermost.message;
}
