import { runtimeProblems } from './runtime.check.js';

describe('runtimeProblems', () => {
  it('finds nothing missing in the Node.js the tests run on (22.19 or later)', () => {
    expect(runtimeProblems()).toEqual([]);
  });

  it('names the version and what it lacks when a reviver gets no source text (Node.js 20)', () => {
    // Node.js 20's JSON.parse: the reviver is called with the key and the value only.
    const withoutSource = ((text: string, reviver: (key: string, value: unknown) => unknown) =>
      JSON.parse(text, (key: string, value: unknown) => reviver(key, value))) as typeof JSON.parse;
    const problems = runtimeProblems(withoutSource, 'v20.20.2');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Node\.js v20\.20\.2: rampart needs Node\.js 22\.19 or later/);
    expect(problems[0]).toContain('no source text');
  });
});
