import { DbQueryTimeoutError, DbUnavailableError } from './database.errors.js';
import { failureReason } from './failure.reason.js';

describe('failureReason', () => {
  it("the innermost cause's words, with its code", () => {
    const server = Object.assign(new Error('database "app" does not exist'), { code: '3D000' });
    expect(failureReason(new DbUnavailableError(server))).toBe(
      'database "app" does not exist (3D000)',
    );
  });

  it('a cause without a code: its message alone; no cause: the error itself', () => {
    expect(failureReason(new DbUnavailableError(new Error('Connection terminated')))).toBe(
      'Connection terminated',
    );
    expect(failureReason(new DbQueryTimeoutError(6000))).toBe(
      'The database did not answer within 6000 ms. (DB_QUERY_TIMEOUT)',
    );
  });
});
