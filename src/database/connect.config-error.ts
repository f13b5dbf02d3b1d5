import { ConfigError } from '../config/config.loader.js';

/**
 * Why a server refused what DATABASE_URL asked for: answers no retry will change, so start-up
 * stops as for any bad setting (main.ts, exit 78) instead of a stack trace and exit 1 that reads
 * like an outage. SQLSTATE class 28 and 3D000 (PostgreSQL, Appendix A); ENOTFOUND from the
 * resolver. A server that is down or slow is not here: that is an outage, and stays exit 1.
 */
const WHY: Record<string, string> = {
  '28000': 'the server refused the user',
  '28P01': 'the server refused the password',
  '3D000': 'the server has no such database',
  ENOTFOUND: 'the host name does not resolve',
};
/** node-postgres's words (no code) when the URL asks for SSL (sslmode) and the server has none. */
const NO_SSL = 'The server does not support SSL connections';

/**
 * A ConfigError naming DATABASE_URL for a refusal the settings explain, else undefined. The
 * server's own words are kept (they name the user or the database, never the password); the
 * URL is not, since it may carry the password.
 */
export function databaseConfigError(error: unknown): ConfigError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.message === NO_SSL) {
      return new ConfigError([
        'DATABASE_URL: cannot connect: the URL requires SSL (sslmode) and the server does not support it',
      ]);
    }
    const code = (e as { code?: unknown }).code;
    const why = typeof code === 'string' ? WHY[code] : undefined;
    if (why === undefined) continue;
    const said = code === 'ENOTFOUND' ? '' : `: ${e.message}`;
    return new ConfigError([`DATABASE_URL: cannot connect: ${why}${said} (${code})`]);
  }
  return undefined;
}
