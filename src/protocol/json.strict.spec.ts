import { countJsonParses } from '../../test/support/json-parses.js';
import { MAX_JSON_DEPTH } from './json.shape.js';
import { parseStrictJson, readStrictJson } from './json.strict.js';

describe('parseStrictJson: the request body rules, for JSON from elsewhere', () => {
  it('parses JSON that follows them', () => {
    expect(parseStrictJson('{"a":[1,{"b":null}],"c":"__proto__"}')).toEqual({
      value: { a: [1, { b: null }], c: '__proto__' },
    });
    expect(parseStrictJson('"text"')).toEqual({ value: 'text' });
    expect(parseStrictJson('{"constructor":"a name, not a prototype"}')).toEqual({
      value: { constructor: 'a name, not a prototype' },
    });
  });

  it('refuses text that is not JSON', () => {
    expect(parseStrictJson('<html>oops</html>')).toHaveProperty('problem');
    expect(parseStrictJson('{"a":1')).toHaveProperty('problem');
    expect(parseStrictJson('')).toHaveProperty('problem');
  });

  it('refuses JSON nested past the depth limit', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(parseStrictJson(deep)).toEqual({
      problem: `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`,
    });
  });

  it.each([
    ['a __proto__ key', '{"__proto__":{"polluted":1}}'],
    ['an escaped __proto__ key', '{"\\u005f_proto__":{"polluted":1}}'],
    ['a nested __proto__ key', '{"a":[{"__proto__":{"polluted":1}}]}'],
    ['a constructor holding a prototype', '{"constructor":{"prototype":{"polluted":1}}}'],
  ])('refuses %s', (_name, text) => {
    expect(parseStrictJson(text)).toEqual({
      problem: 'Object contains forbidden prototype property',
    });
  });

  it('refuses a key repeated within one object, naming it, decoded', () => {
    expect(parseStrictJson('{"degraded":true,"degraded":false}')).toEqual({
      problem: 'The JSON repeats the key at /degraded.',
    });
    expect(parseStrictJson('{"a":[{"b":1,"\\u0062":2}]}')).toEqual({
      problem: 'The JSON repeats the key at /a/0/b.',
    });
  });

  it('keeps a number JSON.parse would not print back as written, for whoever serialises it', () => {
    const text = '{"id":9007199254740993,"tiny":1e-400,"neg":-0,"f":1.50,"n":[2,0.5]}';
    const parsed = parseStrictJson(text) as { value: { n: number[] } };
    expect(JSON.stringify(parsed.value)).toBe(text);
    expect(parsed.value.n).toEqual([2, 0.5]);
    expect(JSON.stringify(parseStrictJson('\ufeff[1e400]'))).toBe('{"value":[1e400]}');
  });

  it('skips a byte order mark, and still refuses a __proto__ key after one', () => {
    expect(parseStrictJson('\ufeff{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseStrictJson('\ufeff{"__proto__":{"polluted":1}}')).toEqual({
      problem: 'Object contains forbidden prototype property',
    });
  });
});

describe('readStrictJson: the kind of problem, for each caller to answer in its own words', () => {
  it.each([
    ['{"a":1}', { kind: 'value', value: { a: 1 } }],
    [
      '['.repeat(MAX_JSON_DEPTH + 1),
      { kind: 'too-costly', detail: `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.` },
    ],
    ['{"a":', { kind: 'not-json', detail: expect.any(String) }],
    ['{"a":[{"\\u005f_proto__":1}]}', { kind: 'forbidden-key', key: '__proto__' }],
    // After a byte order mark, which the parser skips: the key, as without one (was not-json).
    ['\ufeff{"a":[{"__proto__":1}]}', { kind: 'forbidden-key', key: '__proto__' }],
    ['\ufeff{"constructor":{"prototype":1}}', { kind: 'forbidden-key', key: 'constructor' }],
    ['\ufeff{"a":{"b":1,"b":2}}', { kind: 'repeated-key', pointer: '/a/b' }],
    ['{"constructor":{"prototype":1}}', { kind: 'forbidden-key', key: 'constructor' }],
    ['{"a":{"b":1,"b":2}}', { kind: 'repeated-key', pointer: '/a/b' }],
  ])('%s', (text, reading) => {
    expect(readStrictJson(text)).toMatchObject(reading);
  });

  it("leaves poisoning keys to the actions it is given (Fastify's onProtoPoisoning)", () => {
    const text = '{"__proto__":{"x":1},"constructor":{"prototype":1},"a":1}';
    expect(readStrictJson(text, { protoAction: 'remove', constructorAction: 'remove' })).toEqual({
      kind: 'value',
      value: { a: 1 },
    });
  });
});

describe('parseStrictJson: one parse for the checks and the numbers as written', () => {
  it("reads a backend's JSON once, each number still as written", async () => {
    const text = '{"id":9007199254740993,"tiny":1e-400,"n":[2,0.5,-0],"s":"1e-400"}';
    const { result, parses } = await countJsonParses(() => parseStrictJson(text));
    expect({ written: JSON.stringify((result as { value: unknown }).value), parses }).toEqual({
      written: text,
      parses: 1,
    });
    expect(await countJsonParses(() => parseStrictJson('12345678901234567890'))).toEqual({
      result: { value: JSON.rawJSON('12345678901234567890') },
      parses: 1,
    });
  });

  it('counts keys as the text writes them, numbers kept as written or not', () => {
    // A kept literal is an object of one key: counted in the value, it made up for the repeat.
    expect(parseStrictJson('{"a":1,"a":2,"n":1e400}')).toEqual({
      problem: 'The JSON repeats the key at /a.',
    });
    expect(parseStrictJson('{"a":{"b":1e400,"b":1}}')).toEqual({
      problem: 'The JSON repeats the key at /a/b.',
    });
  });
});
