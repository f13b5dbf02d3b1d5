import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, ensureBuilt } from '../support/child-process.js';

type AsciiComments = (text: string) => { text: string; replaced: number };

// The bundle's chunks stay ASCII, so Node decodes and scans each as a one-byte string.
describe('scripts/bundle-ascii.mjs: an ASCII bundle', () => {
  let asciiComments: AsciiComments;
  beforeAll(async () => {
    const url = pathToFileURL(join(ROOT, 'scripts/bundle-ascii.mjs')).href;
    asciiComments = ((await import(url)) as { asciiComments: AsciiComments }).asciiComments;
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
    ensureBuilt();
    const dir = join(ROOT, 'dist/bundle');
    const pastAscii = readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .flatMap((name) =>
        readFileSync(join(dir, name), 'utf8')
          .split('\n')
          .flatMap((line, i) => (/[^\p{ASCII}]/u.test(line) ? [`${name}:${i + 1}`] : [])),
      );
    // A line named here holds a regular expression or tagged template (which esbuild keeps as
    // written) with a character past ASCII: write it as an escape or an HTML entity.
    expect(pastAscii).toEqual([]);
  });
});
