import { classifyConnectError, classifyDriverError } from './driver-error.classifier.js';

const live = () => new AbortController().signal;

describe('classifyDriverError', () => {
  it('the request abort reason wins over what the cancelled statement reported', () => {
    const controller = new AbortController();
    const reason = new Error('deadline');
    controller.abort(reason);
    expect(
      classifyDriverError(
        Object.assign(new Error('canceled'), { code: '57014' }),
        controller.signal,
      ),
    ).toBe(reason);
  });

  it.each([
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['admin shutdown 57P01', Object.assign(new Error('terminating'), { code: '57P01' })],
    ['connection failure 08006', Object.assign(new Error('x'), { code: '08006' })],
    ['lost socket', new Error('Connection terminated unexpectedly')],
    ['connect timeout', new Error('timeout exceeded when trying to connect')],
  ])('%s → DB_UNAVAILABLE 503', (_label, error) => {
    expect(classifyDriverError(error, live())).toMatchObject({
      code: 'DB_UNAVAILABLE',
      status: 503,
    });
  });

  it('statement_timeout (57014 without an abort) → DB_STATEMENT_TIMEOUT', () => {
    const error = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    expect(classifyDriverError(error, live())).toMatchObject({ code: 'DB_STATEMENT_TIMEOUT' });
  });

  it('SQL errors pass through for the repository (unique violation)', () => {
    const error = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(classifyDriverError(error, live())).toBe(error);
  });
});

describe('classifyConnectError: nothing was sent, so nothing is a SQL error', () => {
  it.each([
    ['a role that may not log in (28000)', Object.assign(new Error('role'), { code: '28000' })],
    ['a password refused (28P01)', Object.assign(new Error('password'), { code: '28P01' })],
    ['a password asked for and none given', new Error('SASL: client password must be a string')],
  ])('%s → DB_UNAVAILABLE 503, its cause kept', (_label, error) => {
    expect(classifyConnectError(error, live())).toMatchObject({
      code: 'DB_UNAVAILABLE',
      status: 503,
      cause: error,
    });
  });

  it('what the statement classes name stays so, and the abort still wins', () => {
    const slots = Object.assign(new Error('too many clients'), { code: '53300' });
    expect(classifyConnectError(slots, live())).toMatchObject({ code: 'DB_UNAVAILABLE' });
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    expect(classifyConnectError(slots, controller.signal)).toBe(controller.signal.reason);
  });
});
