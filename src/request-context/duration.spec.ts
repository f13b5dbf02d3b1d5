import { parseDurationMs } from './duration.js';

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
