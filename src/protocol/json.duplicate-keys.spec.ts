import fc from 'fast-check';
import { duplicateKeyPointer, firstRepeatedKey } from './json.duplicate-keys.js';
import { jsonShape, MAX_JSON_DEPTH } from './json.shape.js';

/** What the body parser asks: the scan's key count, then the value JSON.parse made. */
const repeatIn = (text: string): string | undefined =>
  duplicateKeyPointer(text, JSON.parse(text), jsonShape(text).keys);

describe('duplicateKeyPointer: the JSON pointer of a key repeated within one object', () => {
  it.each([
    ['a repeated key at the top', '{"errorRate":0.5,"errorRate":0}', '/errorRate'],
    ['the same value twice', '{"a":1,"b":2,"a":1}', '/a'],
    ['whitespace around the colons', '{ "a" : 1 ,\n\t"a"\r\n: 2 }', '/a'],
    ['in an object in an array', '{"tags":[{"name":"x","name":"y"}]}', '/tags/0/name'],
    ['counting the array elements before it', '{"t":[1,[2,3],{"k":{}},{"n":1,"n":2}]}', '/t/3/n'],
    ['an array at the top', '[{}, [], {"a":1,"a":2}]', '/2/a'],
    ['an object value repeated', '{"o":{"x":1},"o":{"y":2}}', '/o'],
    ['the empty key', '{"":1,"":2}', '/'],
    ['the empty key, nested', '{"a":{"":1,"":2}}', '/a/'],
    ['`/` and `~` escaped in the pointer (RFC 6901 §3)', '{"a/b":{"m~n":1,"m~n":2}}', '/a~1b/m~0n'],
    ['a key ending in a backslash', '{"a\\\\":1,"a\\\\":2}', '/a\\'],
    ['__proto__, an own key to JSON.parse', '{"__proto__":1,"__proto__":2}', '/__proto__'],
  ])('%s', (_name, text, pointer) => {
    expect(repeatIn(text)).toBe(pointer);
    expect(firstRepeatedKey(text)).toBe(pointer);
  });

  it.each([
    ['\\u0061 after a', '{"a":1,"\\u0061":2}', '/a'],
    ['a after \\u0061', '{"\\u0061":1,"a":2}', '/a'],
    ['both escaped differently', '{"\\u0061b":1,"a\\u0062":2}', '/ab'],
    ['an escaped quote against \\u0022', '{"a\\"b":1,"a\\u0022b":2}', '/a"b'],
    ['an escaped slash against a plain one', '{"a\\/b":1,"a/b":2}', '/a~1b'],
    ['a surrogate pair written two ways', '{"😀":1,"\\ud83d\\ude00":2}', '/😀'],
  ])('compares keys decoded: %s', (_name, text, pointer) => {
    expect(repeatIn(text)).toBe(pointer);
  });

  it.each([
    ['no object', '[1,"a",null,true]'],
    ['a scalar', '"{\\"a\\":1,\\"a\\":2}"'],
    ['the same key in sibling objects', '[{"a":1},{"a":2}]'],
    ['the same key at two depths', '{"a":{"a":{"a":1}}}'],
    ['a repeat inside a string value', '{"s":"{\\"a\\":1,\\"a\\":2}","t":"}"}'],
    ['braces, colons and commas in keys', '{"{":1,"}":2,":":3,",":4,"[\\"":5}'],
    ['keys differing only by case', '{"a":1,"A":2}'],
    ['the empty key once', '{"":1,"a":{"":2}}'],
    ['a key and a value alike', '{"a":"a","b":"a"}'],
    ['a value string ending in a backslash', '{"a":"\\\\","b":"\\\\"}'],
  ])('no repeat: %s', (_name, text) => {
    expect(repeatIn(text)).toBeUndefined();
    expect(firstRepeatedKey(text)).toBeUndefined();
  });

  it(`finds a repeat ${MAX_JSON_DEPTH} levels deep, the deepest json.shape.ts lets through`, () => {
    const text = `${'{"a":'.repeat(MAX_JSON_DEPTH - 1)}{"k":1,"k":2}${'}'.repeat(MAX_JSON_DEPTH - 1)}`;
    expect(jsonShape(text).problem).toBeUndefined();
    expect(repeatIn(text)).toBe(`${'/a'.repeat(MAX_JSON_DEPTH - 1)}/k`);
    const arrays = `${'['.repeat(MAX_JSON_DEPTH - 1)}{"k":1,"k":2}${']'.repeat(MAX_JSON_DEPTH - 1)}`;
    expect(repeatIn(arrays)).toBe(`${'/0'.repeat(MAX_JSON_DEPTH - 1)}/k`);
  });

  it('stands a body whose value lost a key without a repeat (a parser that removes one)', () => {
    expect(duplicateKeyPointer('{"a":1,"b":{"c":2}}', { a: 1 }, 3)).toBeUndefined();
  });

  it('is not fooled by an enumerable key on Object.prototype, which for…in also visits', () => {
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
    });
    try {
      // Two keys written, one own key plus one inherited: the counts alone would agree.
      expect(repeatIn('{"a":1,"a":2}')).toBe('/a');
      expect(repeatIn('{"a":1,"b":2}')).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });
});

describe('duplicateKeyPointer over generated JSON', () => {
  const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
  /** The key written with its first UTF-16 unit as a \u escape: the same key, decoded. */
  const escaped = (key: string) =>
    `"\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(key.slice(1)).slice(1)}`;

  /**
   * `value` as JSON text, with the first key of its `target`-th non-empty object (in text order)
   * written again at the end of that object: the text and the pointer of that repeat.
   */
  function withRepeat(value: unknown, target: number, escape: boolean) {
    let seen = 0;
    let pointer: string | undefined;
    const write = (v: unknown, path: string): string => {
      if (Array.isArray(v)) return `[${v.map((e, i) => write(e, `${path}/${i}`)).join(',')}]`;
      if (typeof v !== 'object' || v === null) return JSON.stringify(v);
      const entries = Object.entries(v);
      const here = entries.length > 0 && seen++ === target;
      const members = entries.map(
        ([k, e]) => `${JSON.stringify(k)}:${write(e, `${path}/${escapePointer(k)}`)}`,
      );
      if (here) {
        const key = entries[0]![0];
        members.push(`${escape && key !== '' ? escaped(key) : JSON.stringify(key)}:0`);
        pointer = `${path}/${escapePointer(key)}`;
      }
      return `{${members.join(',')}}`;
    };
    const text = write(value, '');
    return { text, pointer, objects: seen };
  }

  it('finds none in JSON.stringify output, and names the one repeat written into it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.nat(), fc.boolean(), (value, pick, escape) => {
        const plain = JSON.stringify(value);
        expect(repeatIn(plain)).toBeUndefined();
        const { objects } = withRepeat(value, -1, false);
        if (objects === 0) return;
        const { text, pointer } = withRepeat(value, pick % objects, escape);
        expect(pointer).toBeDefined();
        expect(repeatIn(text)).toBe(pointer);
        expect(firstRepeatedKey(text)).toBe(pointer);
      }),
      { numRuns: 500 },
    );
  });
});
