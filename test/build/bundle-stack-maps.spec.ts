import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { join } from 'node:path';
import { importScript } from '../support/bundle.js';
import { ROOT } from '../support/child-process.js';

interface Map3 {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
}
interface Paged {
  sources: string[];
  names: string[];
  pageLines: number;
  pages: (string | null)[];
}
type OwnCodeMap = (bundleDir: string, srcDir: string, map: Map3) => Paged | undefined;

// The maps the stack-trace mapper reads: rampart's own segments of each chunk's map.
describe("scripts/bundle-stack-maps.mjs: a chunk's map cut to rampart's code", () => {
  let ownCodeMap: OwnCodeMap;
  const bundleDir = join(ROOT, 'dist/bundle');
  const srcDir = join(ROOT, 'src');
  beforeAll(async () => {
    ({ ownCodeMap } = await importScript<{ ownCodeMap: OwnCodeMap }>('bundle-stack-maps.mjs'));
  });

  const sources = [
    '../../node_modules/pkg/index.js',
    '../../src/app.ts',
    'builtin-via-require:http',
  ];
  const lines: SourceMapSegment[][] = [
    // rampart, then a package's code, then rampart again, on one generated line
    [
      [0, 1, 4, 2, 0],
      [10, 0, 7, 0],
      [20, 1, 5, 0],
    ],
    [[0, 0, 9, 0]], // a package's line
    [[4, 2, 0, 0]], // a generated module's
    [[2, 1, 6, 4]],
  ];
  const map: Map3 = { version: 3, sources, names: ['run'], mappings: encode(lines) };

  it("keeps rampart's segments, re-indexed, and nothing else of the sources", () => {
    const own = ownCodeMap(bundleDir, srcDir, map)!;
    expect(own.sources).toEqual(['../../src/app.ts']);
    expect(own.names).toEqual(['run']);
    expect(own.pages).toHaveLength(1);
    expect(decode(own.pages[0]!)).toEqual([
      [[0, 0, 4, 2, 0], [10], [20, 0, 5, 0]],
      [],
      [],
      [[2, 0, 6, 4]],
    ]);
  });

  it("marks a package's code that follows rampart's on a line as unmapped, not rampart's", () => {
    const own = ownCodeMap(bundleDir, srcDir, map)!;
    expect(decode(own.pages[0]!)[0]![1]).toEqual([10]);
  });

  it('cuts a long chunk into pages, each a map of its own lines, none for a page without code', () => {
    // 2,500 generated lines: rampart's code on line 0 and line 2,100, nothing in between.
    const long: SourceMapSegment[][] = Array.from({ length: 2_500 }, () => []);
    long[0] = [[0, 1, 4, 2]];
    long[2_100] = [[3, 1, 9, 1]];
    const own = ownCodeMap(bundleDir, srcDir, { ...map, mappings: encode(long) })!;
    expect(own.pageLines).toBe(1_000);
    expect(own.pages).toHaveLength(3);
    expect(own.pages[1]).toBeNull();
    // Each page restarts the relative fields, so its first segment reads as absolute.
    expect(decode(own.pages[2]!)[100]).toEqual([[3, 0, 9, 1]]);
    expect(decode(own.pages[0]!)[0]).toEqual([[0, 0, 4, 2]]);
  });

  it('writes nothing for a chunk without rampart code', () => {
    const vendorOnly = { ...map, mappings: encode([lines[1]!, lines[2]!]) };
    expect(ownCodeMap(bundleDir, srcDir, vendorOnly)).toBeUndefined();
  });
});
