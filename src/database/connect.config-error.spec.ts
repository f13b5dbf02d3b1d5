import pg from 'pg';
import { databaseConfigError } from './connect.config-error.js';

/** A server's error as node-postgres reports it. */
function serverError(message: string, code: string, severity: string): pg.DatabaseError {
  return Object.assign(new pg.DatabaseError(message, message.length, 'error'), { code, severity });
}

describe('databaseConfigError: a setting the server does not know at connect (42704)', () => {
  it('client_connection_check_interval (a server before PostgreSQL 14) names the knob to set to 0', () => {
    const error = serverError(
      'unrecognized configuration parameter "client_connection_check_interval"',
      '42704',
      'FATAL',
    );
    expect(databaseConfigError(error)?.problems).toEqual([
      expect.stringMatching(
        /^DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS: .*PostgreSQL before 14.*set 0.*\(.*42704\)$/,
      ),
    ]);
  });

  it("another one came from the URL's options", () => {
    const error = serverError('unrecognized configuration parameter "nope"', '42704', 'FATAL');
    expect(databaseConfigError(error)?.problems).toEqual([
      'DATABASE_URL: cannot connect: the server refused a setting of the URL\'s options: unrecognized configuration parameter "nope" (42704)',
    ]);
  });

  it('the same code from a statement (an ERROR, not FATAL) is no setting', () => {
    const error = serverError('type "nope" does not exist', '42704', 'ERROR');
    expect(databaseConfigError(error)).toBeUndefined();
  });
});

describe('databaseConfigError: other refusals of the startup packet', () => {
  it("a value the setting does not take (22023, FATAL) names DATABASE_URL and the server's words", () => {
    const error = serverError(
      'invalid value for parameter "statement_timeout": "soon"',
      '22023',
      'FATAL',
    );
    expect(databaseConfigError(error)?.problems).toEqual([
      'DATABASE_URL: cannot connect: the server refused a value of the URL\'s options: invalid value for parameter "statement_timeout": "soon" (22023)',
    ]);
  });

  it("the same codes from a statement (an ERROR) are a migration's to report", () => {
    for (const code of ['22023', '42601', '55P02', '55000']) {
      expect(databaseConfigError(serverError('from a statement', code, 'ERROR'))).toBeUndefined();
    }
  });
});

describe('databaseConfigError: a password the server asks for and the URL lacks', () => {
  it.each([
    ['SCRAM', 'SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'],
    ['cleartext or MD5', 'Password must be a string'],
  ])('%s (node-postgres says so without a code) names DATABASE_URL', (_label, message) => {
    // As the pool's connect reports it at start-up: wrapped as DB_UNAVAILABLE.
    const error = new Error('The database is unavailable.', { cause: new Error(message) });
    expect(databaseConfigError(error)?.problems).toEqual([
      'DATABASE_URL: cannot connect: the server asks for a password and the URL has none',
    ]);
  });
});
