import { denotesExactly, parseIncrement } from './counters.input.js';

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

describe('parseIncrement with the body as sent', () => {
  it('takes the last of repeated keys, as JSON.parse does (the body parser refuses them first)', () => {
    const text = '{"by":1.5,"by":2}';
    expect(parseIncrement(JSON.parse(text), text)).toBe(2);
  });

  it('refuses a by the parse rounded into range', () => {
    const text = '{"by": 1000000000.0000000001}';
    expect(() => parseIncrement(JSON.parse(text), text)).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });

  it.each([
    ['{"\\u0062y":1000000000.0000000001}'],
    ['{"\\u0062y":1e-400}'],
    ['{"b\\u0079": 999999999.99999999999}'],
  ])('finds the literal behind an escaped key: %s is refused', (text) => {
    expect(() => parseIncrement(JSON.parse(text), text)).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });

  it('an escaped key with an exact integer adds it', () => {
    const text = '{"\\u0062y": 5}';
    expect(parseIncrement(JSON.parse(text), text)).toBe(5);
  });

  it('without the text (not a JSON body) judges the parsed value', () => {
    expect(parseIncrement({ by: 7 })).toBe(7);
    expect(parseIncrement(undefined)).toBe(1);
  });
});
