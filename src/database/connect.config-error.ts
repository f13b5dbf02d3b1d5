import { ConfigError } from '../config/config.loader.js';
import { causeChain } from './failure.reason.js';

/**
 * Why a server refused what DATABASE_URL asked for: answers no retry will change, so start-up
 * stops as for any bad setting (main.ts, exit 78) instead of a stack trace and exit 1 that reads
 * like an outage. SQLSTATE class 28 and 3D000 (PostgreSQL, Appendix A), the startup packet's
 * FATAL refusals below, and ENOTFOUND from the resolver. A server that is down or slow is not here: that is an outage,
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
/** node-postgres's words (no code) when the server asks for a password (SCRAM; cleartext or
 * MD5) and the URL has none: it exited 1 with a stack trace, read as an outage. */
const NO_PASSWORD = /client password must be a string|^Password must be a string$/;
/**
 * A setting of the startup packet's `options` the server does not know: 42704 with severity
 * FATAL (the same code from a statement is an ERROR, and a migration's to report).
 */
const UNKNOWN_SETTING = '42704';
/**
 * Other refusals of the startup packet, each FATAL only there (as ERRORs they are a statement's):
 * an options value the setting does not take (`-c statement_timeout=abc`, 22023), an option
 * without a value (`-c foo`, 42601), a setting only a restart changes (`-c data_directory=…`,
 * 55P02), and a database that takes no connections (`template0`, datallowconn off: 55000).
 * They exited 1 with a stack trace, read as an outage, and the pod restarted into the same refusal.
 */
const REFUSED_AT_CONNECT: Record<string, string> = {
  '22023': "the server refused a value of the URL's options",
  '42601': "the server could not read the URL's options",
  '55P02': "the server refused a setting of the URL's options",
  '55000': 'the database takes no connections',
};

/**
 * A ConfigError naming DATABASE_URL (or the knob to change) for a refusal the settings explain,
 * else undefined. The server's own words are kept (they name the user, the database or the
 * setting, never the password); the URL is not, since it may carry the password.
 */
export function databaseConfigError(error: unknown): ConfigError | undefined {
  for (const e of causeChain(error)) {
    if (e.message === NO_SSL) {
      return new ConfigError([
        'DATABASE_URL: cannot connect: the URL requires SSL (sslmode) and the server does not support it',
      ]);
    }
    if (NO_PASSWORD.test(e.message)) {
      return new ConfigError([
        'DATABASE_URL: cannot connect: the server asks for a password and the URL has none',
      ]);
    }
    const code = (e as { code?: unknown }).code;
    const fatal = (e as { severity?: unknown }).severity === 'FATAL';
    if (code === UNKNOWN_SETTING && fatal) return unknownSetting(e.message);
    const refused = fatal && typeof code === 'string' ? REFUSED_AT_CONNECT[code] : undefined;
    if (refused !== undefined) {
      return new ConfigError([`DATABASE_URL: cannot connect: ${refused}: ${e.message} (${code})`]);
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
