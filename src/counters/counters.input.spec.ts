import { COUNTER_NAME_PATTERN, parseCounterName, parseIncrement } from './counters.input.js';

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

describe('COUNTER_NAME_PATTERN, as the OpenAPI document states the name', () => {
  const accepted = (name: string): boolean => {
    try {
      return parseCounterName(name) === name;
    } catch {
      return false;
    }
  };

  it.each([
    'a',
    '.',
    '..',
    '...',
    '.a',
    '..a',
    'a.',
    'a..',
    '.-',
    '_',
    '.'.repeat(64),
    '.'.repeat(65),
    'a'.repeat(64),
    'a'.repeat(65),
    `..${'a'.repeat(62)}`,
    `..${'a'.repeat(63)}`,
    '',
    'a b',
    'a/b',
  ])('matches %j exactly when the route takes it', (name) => {
    expect([name, new RegExp(COUNTER_NAME_PATTERN).test(name)]).toEqual([name, accepted(name)]);
  });
});
