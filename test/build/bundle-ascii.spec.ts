import { bundleChunks, importScript } from '../support/bundle.js';

type AsciiComments = (text: string) => { text: string; replaced: number };

// The bundle's chunks stay ASCII, so Node decodes and scans each as a one-byte string.
describe('scripts/bundle-ascii.mjs: an ASCII bundle', () => {
  let asciiComments: AsciiComments;
  beforeAll(async () => {
    ({ asciiComments } = await importScript<{ asciiComments: AsciiComments }>('bundle-ascii.mjs'));
  });

  it('rewrites characters past ASCII in comments, one for one, and nothing else', () => {
    const code =
      'const a = x || // the request’s URL\n' +
      '  y; /* “block” 🙂 */ const r = /µs/; const t = tag`·`; const s = "é";\n';
    const { text, replaced } = asciiComments(code);
    expect(replaced).toBe(4);
    expect(text).toBe(
      'const a = x || // the request?s URL\n' +
        '  y; /* ?block? ?? */ const r = /µs/; const t = tag`·`; const s = "é";\n',
    );
    // One UTF-16 unit for one: every token after a rewritten comment keeps its column.
    expect(text.length).toBe(code.length);
  });

  it('leaves an ASCII file as it is', () => {
    expect(asciiComments('const a = 1; // plain\n')).toEqual({
      text: 'const a = 1; // plain\n',
      replaced: 0,
    });
  });

  it('every chunk of the built bundle is ASCII', () => {
    const pastAscii = bundleChunks().flatMap(({ name, text }) =>
      text
        .split('\n')
        .flatMap((line, i) => (/[^\p{ASCII}]/u.test(line) ? [`${name}:${i + 1}`] : [])),
    );
    // A line named here holds a regular expression or tagged template (which esbuild keeps as
    // written) with a character past ASCII: write it as an escape or an HTML entity.
    expect(pastAscii).toEqual([]);
  });
});
