import { runInNewContext } from 'node:vm';
import { bundleChunks, importScript } from '../support/bundle.js';

type Unwrap = (text: string) => { text: string; unwrapped: number };

// The bundle's keepNames wrappers, unwrapped where the language names the function anyway.
describe('scripts/bundle-names.mjs: keepNames wrappers the language makes redundant', () => {
  let unwrap: Unwrap;
  beforeAll(async () => {
    ({ unwrapInferredNames: unwrap } = await importScript<{ unwrapInferredNames: Unwrap }>(
      'bundle-names.mjs',
    ));
  });

  // esbuild's helper as the bundle has it, and the names a snippet's functions end up with.
  const HELPER =
    'var __defProp = Object.defineProperty;\n' +
    'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });\n';
  const namesAfter = (code: string, read: string): unknown =>
    runInNewContext(`${HELPER}${code}\n${read}`) as unknown;

  const cases: Array<[string, string, string]> = [
    [
      'a declaration',
      'const onClose = /* @__PURE__ */ __name(() => 1, "onClose");',
      'onClose.name',
    ],
    ['an assignment', 'let f; f = /* @__PURE__ */ __name(function () {}, "f");', 'f.name'],
    [
      'a property',
      'const o = { send: /* @__PURE__ */ __name(async () => {}, "send") };',
      'o.send.name',
    ],
    [
      'a class field',
      'class C { run = /* @__PURE__ */ __name(() => 2, "run"); }',
      'new C().run.name',
    ],
    [
      'a private field',
      'class P { #run = __name(() => 2, "#run"); static name(p) { return p.#run.name; } }',
      'P.name(new P())',
    ],
  ];
  it.each(cases)('unwraps %s, and the function keeps its name', (_, code, read) => {
    const { text, unwrapped } = unwrap(code);
    expect(unwrapped).toBe(1);
    expect(text).not.toContain('__name(');
    expect(namesAfter(text, read)).toBe(namesAfter(code, read));
  });

  it('keeps the wrapper where esbuild renamed the binding or the function has a name', () => {
    const renamed = 'const error2 = __name(() => 1, "error");';
    const named = 'const g = __name(function other() {}, "g");';
    for (const code of [renamed, named]) expect(unwrap(code)).toEqual({ text: code, unwrapped: 0 });
    expect(namesAfter(renamed, 'error2.name')).toBe('error');
  });

  it("drops the no-op statement after a function declaration, and a named function's wrapper", () => {
    const declared =
      'function run() { function next() { return 1; } __name(next, "next"); return next; }';
    const expression = 'const h = (() => __name(function hook() {}, "hook"))();';
    for (const [code, read] of [
      [declared, 'run().name'],
      [expression, 'h.name'],
    ] as const) {
      const { text, unwrapped } = unwrap(code);
      expect(unwrapped).toBe(1);
      expect(text).not.toContain('__name(');
      expect(text.length).toBe(code.length);
      expect(namesAfter(text, read)).toBe(namesAfter(code, read));
    }
  });

  it('keeps the statement where the name is given to another function before it runs', () => {
    const reassigned =
      'function run() { function next() {} next = () => 1; __name(next, "next"); return next; }';
    const declaredAgain =
      'function run() { function next() {} __name(next, "next"); var next = 1; }';
    const renamed = 'function next2() {} __name(next2, "next");';
    for (const code of [reassigned, declaredAgain, renamed]) {
      expect(unwrap(code)).toEqual({ text: code, unwrapped: 0 });
    }
    expect(namesAfter(renamed, 'next2.name')).toBe('next');
  });

  it('keeps every other token on its line and column, so the source maps stay exact', () => {
    const code = 'const a = __name((x) => {\n  return x;\n}, "a"); const b = 1;';
    const { text } = unwrap(code);
    expect(text.length).toBe(code.length);
    expect(text.split('\n').map((line) => line.indexOf('b ='))).toEqual(
      code.split('\n').map((line) => line.indexOf('b =')),
    );
  });

  it('the built bundle keeps a wrapper only where a name differs or cannot be inferred', () => {
    const wrappedArrows = bundleChunks().flatMap(({ text }) => [
      ...text.matchAll(/(\w+) = \/\* @__PURE__ \*\/ __name\(\(/g),
    ]);
    // esbuild renames a colliding binding by appending a number: those are the ones left.
    expect(wrappedArrows.map((m) => m[1]).filter((binding) => !/\d$/.test(binding ?? ''))).toEqual(
      [],
    );
  });
});
