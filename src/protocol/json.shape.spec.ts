import { jsonShape, jsonShapeProblem, MAX_JSON_DEPTH, MAX_OBJECT_MEMBERS } from './json.shape.js';

const tooDeep = `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`;
const tooWide = `An object in the JSON has more than ${MAX_OBJECT_MEMBERS} members.`;

describe('jsonShapeProblem: bracket depth outside strings', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  it('counts arrays and objects, and nothing inside strings, escaped quotes included', () => {
    expect(jsonShapeProblem(nested(256))).toBeUndefined();
    expect(jsonShapeProblem(nested(257))).toBe(tooDeep);
    expect(jsonShapeProblem(`${'{"a":'.repeat(300)}1${'}'.repeat(300)}`)).toBe(tooDeep);
    expect(jsonShapeProblem(JSON.stringify({ s: '['.repeat(1_000) }))).toBeUndefined();
    expect(jsonShapeProblem(JSON.stringify({ s: `\\"${'{'.repeat(1_000)}` }))).toBeUndefined();
    // Siblings do not add up: depth, not count.
    expect(
      jsonShapeProblem(JSON.stringify(Array.from({ length: 1_000 }, () => [[1]]))),
    ).toBeUndefined();
  });
});

describe('jsonShapeProblem: members of one object', () => {
  const wide = (members: number) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: members }, (_, i) => [`k${i}`, 0])));

  it('refuses an object with more than the limit, and takes the limit itself', () => {
    expect(jsonShapeProblem(wide(MAX_OBJECT_MEMBERS))).toBeUndefined();
    expect(jsonShapeProblem(wide(MAX_OBJECT_MEMBERS + 1))).toBe(tooWide);
    // Nested: the inner object is the wide one.
    expect(jsonShapeProblem(`{"a":{"b":${wide(MAX_OBJECT_MEMBERS + 1)}}}`)).toBe(tooWide);
  });

  it('counts each object apart, and no colon inside a string or an array', () => {
    const many = Array.from({ length: 3 }, () => JSON.parse(wide(MAX_OBJECT_MEMBERS)) as object);
    expect(jsonShapeProblem(JSON.stringify(many))).toBeUndefined();
    expect(jsonShapeProblem(JSON.stringify({ a: ':'.repeat(50_000) }))).toBeUndefined();
    expect(
      jsonShapeProblem(JSON.stringify(Array.from({ length: 50_000 }, () => 1))),
    ).toBeUndefined();
    // Siblings after a closed wide-enough object start from zero.
    const half = wide(MAX_OBJECT_MEMBERS / 2);
    expect(jsonShapeProblem(`{"a":${half},"b":${half},"c":${half}}`)).toBeUndefined();
  });
});

describe('jsonShape: the keys a text writes', () => {
  it('counts colons outside strings, repeats each counted, short texts too', () => {
    expect(jsonShape('{"a":1,"a":2}')).toEqual({ problem: undefined, keys: 2 });
    expect(jsonShape('[{"a":{"b":[{"c":1}]}},{"":0}]').keys).toBe(4);
    expect(jsonShape('{"a:b":"c:d","\\":":"\\\\"}').keys).toBe(2);
    expect(jsonShape('[1,"x:y",true]').keys).toBe(0);
    const long = JSON.stringify({ s: ':'.repeat(1_000), t: [{ u: 1 }] });
    expect(jsonShape(long)).toEqual({ problem: undefined, keys: 3 });
  });

  it('ends a string at the first quote after an even run of backslashes, none included', () => {
    // Keys and values ending in backslashes: an escaped backslash does not escape the quote.
    const value = { 'a\\': 'b\\\\', 'c\\"d:': '\\":{[', e: [{ f: '\\\\"' }] };
    expect(jsonShape(JSON.stringify(value)).keys).toBe(4);
    expect(jsonShape(`[${JSON.stringify(value)},${JSON.stringify('"'.repeat(300))}]`).keys).toBe(4);
    // An unterminated string: the scan stops there (JSON.parse refuses the text).
    expect(jsonShape('{"a":1,"b":"\\"').keys).toBe(2);
  });

  it('answers what jsonShapeProblem answers for a text past the depth limit', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(jsonShape(deep).problem).toBe(tooDeep);
    expect(jsonShapeProblem(deep)).toBe(tooDeep);
  });
});
