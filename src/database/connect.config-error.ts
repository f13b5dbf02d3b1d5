import { ConfigError } from '../config/config.loader.js';

/**
 * Why a server refused what DATABASE_URL asked for: answers no retry will change, so start-up
 * stops as for any bad setting (main.ts, exit 78) instead of a stack trace and exit 1 that reads
 * like an outage. SQLSTATE class 28 and 3D000 (PostgreSQL, Appendix A), and 42704 at connect;
 * ENOTFOUND from the resolver. A server that is down or slow is not here: that is an outage,
 * and stays exit 1.
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
 * A setting of the startup packet's `options` the server does not know: 42704 with severity
 * FATAL (the same code from a statement is an ERROR, and a migration's to report).
 */
const UNKNOWN_SETTING = '42704';

/**
 * A ConfigError naming DATABASE_URL (or the knob to change) for a refusal the settings explain,
 * else undefined. The server's own words are kept (they name the user, the database or the
 * setting, never the password); the URL is not, since it may carry the password.
 */
export function databaseConfigError(error: unknown): ConfigError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.message === NO_SSL) {
      return new ConfigError([
        'DATABASE_URL: cannot connect: the URL requires SSL (sslmode) and the server does not support it',
      ]);
    }
    const code = (e as { code?: unknown }).code;
    if (code === UNKNOWN_SETTING && (e as { severity?: unknown }).severity === 'FATAL') {
      return unknownSetting(e.message);
    }
    const why = typeof code === 'string' ? WHY[code] : undefined;
    if (why === undefined) continue;
    const said = code === 'ENOTFOUND' ? '' : `: ${e.message}`;
    return new ConfigError([`DATABASE_URL: cannot connect: ${why}${said} (${code})`]);
  }
  return undefined;
}

/**
 * The knob to change for a setting the server refused at connect: the pool's own
 * client_connection_check_interval (pg.startup-options.ts) is unknown before PostgreSQL 14;
 * any other came from the URL's `options`.
 */
function unknownSetting(said: string): ConfigError {
  if (said.includes('client_connection_check_interval')) {
    return new ConfigError([
      `DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS: the server has no client_connection_check_interval ` +
        `(PostgreSQL before 14): set 0 to send none (${said}, ${UNKNOWN_SETTING})`,
    ]);
  }
  return new ConfigError([
    `DATABASE_URL: cannot connect: the server refused a setting of the URL's options: ${said} (${UNKNOWN_SETTING})`,
  ]);
}
