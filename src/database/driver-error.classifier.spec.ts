import { classifyDriverError } from './driver-error.classifier.js';

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
