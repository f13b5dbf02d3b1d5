import { denotesExactly, roundedIntegers } from './json-number.exact.js';

describe('denotesExactly: a JSON number literal against the integer JSON.parse made of it', () => {
  it.each([
    ['5', 5],
    ['-3', -3],
    ['0', 0],
    ['-0', 0],
    ['0.0', 0],
    ['5.0', 5],
    ['1e2', 100],
    ['1E+2', 100],
    ['100e-2', 1],
    ['1000000000', 1_000_000_000],
    ['1000000000000000000e-9', 1_000_000_000],
  ])('%s is exactly %d', (literal, value) => {
    expect(denotesExactly(literal, value)).toBe(true);
    expect(denotesExactly(literal, value + 1)).toBe(false);
  });

  it.each([
    ['1000000000.0000000001', 1_000_000_000],
    ['999999999.99999999999', 1_000_000_000],
    ['1e-400', 0],
    ['0.5', 0],
    ['1.5', 2],
    ['12345678901234567890', 12345678901234567000],
  ])('%s is not %d', (literal, value) => {
    expect(denotesExactly(literal, value)).toBe(false);
  });

  it('the first three are what JSON.parse reads them as: what an integer check passes', () => {
    expect(JSON.parse('1000000000.0000000001')).toBe(1_000_000_000);
    expect(JSON.parse('999999999.99999999999')).toBe(1_000_000_000);
    expect(JSON.parse('1e-400')).toBe(0);
  });
});

describe('roundedIntegers: numbers JSON.parse rounds to an integer they do not denote', () => {
  it('names each by its key, with what it was read as', () => {
    expect(
      roundedIntegers(
        '{"code":1e-400,"errorStatus":503.00000000000001,"latencyMs":100.0,"share":0.5}',
      ),
    ).toEqual([
      { field: 'code', message: 'read as 0; send the integer itself, not 1e-400' },
      {
        field: 'errorStatus',
        message: 'read as 503; send the integer itself, not 503.00000000000001',
      },
    ]);
  });

  it('passes integers written exactly, fractions, and numbers inside strings', () => {
    expect(roundedIntegers('{"a":5,"b":-0,"c":1e2,"d":0.1,"e":"1e-400","f":[1,2.5]}')).toEqual([]);
  });

  it('names an array element by its index, and a bare number as the body', () => {
    expect(roundedIntegers('[1, 1e-400]')).toEqual([
      { field: '1', message: 'read as 0; send the integer itself, not 1e-400' },
    ]);
    expect(roundedIntegers('9007199254740993')[0]?.field).toBe('body');
  });

  it('past 2^53, names a plain integer read as another, and leaves exponents to the bounds', () => {
    expect(roundedIntegers('{"a":9007199254740992,"b":1e300,"c":-12345678901234567890}')).toEqual([
      {
        field: 'c',
        message:
          'read as -12345678901234567000; send the integer itself, not -12345678901234567890',
      },
    ]);
  });

  it('with fields, names only the numbers under those keys', () => {
    expect(
      roundedIntegers('{"code":1e-400,"share":0.99999999999999999}', new Set(['code'])),
    ).toEqual([{ field: 'code', message: 'read as 0; send the integer itself, not 1e-400' }]);
  });
});
