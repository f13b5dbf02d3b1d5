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

  it.each([
    '',
    'abc',
    '-1',
    '1e309',
    '2 s',
    's',
    '1.5',
    'NaN',
    '-99999999999999999999h',
    '9'.repeat(40) + 'x',
  ])('rejects %j', (input) => {
    expect(parseDurationMs(input)).toBeUndefined();
  });

  // Past 2^53 ms no figure is exact, and every one is longer than any bound here: Infinity, which
  // callers compare like any other length. Refused as malformed, 99999999999999999999h was a 400
  // where 9223372036854775807 (ms) left the server's deadline.
  it.each([
    ['20 digits of ms', '99999999999999999999'],
    ['40 digits of ms', '9'.repeat(40)],
    ['20 digits of hours', '99999999999999999999h'],
    ['400 digits of seconds', '9'.repeat(400) + 's'],
  ])('reads %s, too long to hold, as Infinity', (_, input) => {
    expect(parseDurationMs(input)).toBe(Infinity);
  });

  it('reads the value, not the length: 40 characters of leading zeros are 1 ms', () => {
    expect(parseDurationMs('0'.repeat(39) + '1')).toBe(1);
    expect(parseDurationMs('1ms'.repeat(12))).toBe(12);
  });
});

describe('requestTimeoutMs', () => {
  it('a client may lower the deadline, never raise it; an unusable header is undefined', () => {
    expect(requestTimeoutMs(undefined, 30_000)).toBe(30_000);
    expect(requestTimeoutMs('300', 30_000)).toBe(300);
    expect(requestTimeoutMs('2s', 30_000)).toBe(2_000);
    expect(requestTimeoutMs('1h', 30_000)).toBe(30_000);
    expect(requestTimeoutMs('9223372036854775807', 30_000)).toBe(30_000);
    expect(requestTimeoutMs('9'.repeat(40), 30_000)).toBe(30_000);
    expect(requestTimeoutMs('99999999999999999999h', 30_000)).toBe(30_000);
    expect(requestTimeoutMs('1.5', 30_000)).toBeUndefined();
    expect(requestTimeoutMs('-1s', 30_000)).toBeUndefined();
    expect(requestTimeoutMs('0', 30_000)).toBeUndefined();
    expect(requestTimeoutMs('soon', 30_000)).toBeUndefined();
    expect(requestTimeoutMs(['1s', '2s'], 30_000)).toBeUndefined();
  });
});
