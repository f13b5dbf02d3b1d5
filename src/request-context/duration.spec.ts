import { parseDurationMs, requestTimeoutMs } from './duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['0', 0],
    ['150', 150],
    ['150ms', 150],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
  ])('reads %s as %d ms', (input, expected) => {
    expect(parseDurationMs(input)).toBe(expected);
  });

  it.each(['', 'abc', '-1', '1e309', '2 s', 's', '1.5', '99999999999999999999', 'NaN'])(
    'rejects %j',
    (input) => {
      expect(parseDurationMs(input)).toBeUndefined();
    },
  );
});

describe('requestTimeoutMs', () => {
  it('a client may lower the deadline, never raise it; an unusable header is undefined', () => {
    expect(requestTimeoutMs(undefined, 30_000)).toBe(30_000);
    expect(requestTimeoutMs('300', 30_000)).toBe(300);
    expect(requestTimeoutMs('2s', 30_000)).toBe(2_000);
    expect(requestTimeoutMs('1h', 30_000)).toBe(30_000);
    expect(requestTimeoutMs('9223372036854775807', 30_000)).toBe(30_000);
    expect(requestTimeoutMs('0', 30_000)).toBeUndefined();
    expect(requestTimeoutMs('soon', 30_000)).toBeUndefined();
    expect(requestTimeoutMs(['1s', '2s'], 30_000)).toBeUndefined();
  });
});
