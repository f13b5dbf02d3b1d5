// Writes dist/bundle/stack-maps.json for scripts/bundle.mjs: per chunk, the part of its source
// map that covers rampart's own code (src/), for src/telemetry/stack-trace.mapper.ts, which maps
// stack frames through it on the first stack trace formatted.
//
// Why not the chunks' own maps through Node's source-map support: Node reads and indexes every
// map as its module loads (~80 ms of a ~1.1 s start, measured against a start without), and its
// first lookup in main.js indexes the whole 2.4 MB map, third-party code included: 336 ms with
// the event loop stopped and +53 MB of heap on the first error a process formats. rampart's own
// segments are a sixth of it. The full maps stay beside the chunks for profilers (/debug/pprof)
// and debuggers.
//
// Paged: each page of generated lines is a map of its own, so the first stack indexes the pages
// its frames are on, not the whole chunk.
//
// A third-party segment that follows one of rampart's on the same line becomes an unmapped
// marker (a segment of one field), so a frame in it is not attributed to the code before it.
// Lines with no segment left are empty; the mapper checks that an entry it finds is on the
// frame's own line.
import { decode, encode } from '@jridgewell/sourcemap-codec';
import { relative, resolve, sep } from 'node:path';

/**
 * Generated lines per page. node:module's SourceMap indexes every segment of the map it is given
 * when it is built (main.js's part: 91 ms in a fresh process, bench/micro/stack-maps.bench.mjs);
 * a frame needs the one page its line is on.
 */
const PAGE_LINES = 1_000;

/**
 * @param {string} bundleDir the chunks' folder (their maps' `sources` are relative to it)
 * @param {string} srcDir the sources kept
 * @param {{ version: number, sources: string[], names: string[], mappings: string }} map
 * @returns `srcDir`'s segments in pages of `pageLines` generated lines, each page's `mappings` a
 *   map of its own (null where it has no segment), `sources` relative to `bundleDir`; undefined
 *   if the chunk has none of `srcDir`'s code
 */
export function ownCodeMap(bundleDir, srcDir, map) {
  const own = map.sources.map((source) => resolve(bundleDir, source).startsWith(srcDir + sep));
  const sources = [];
  const names = [];
  const sourceIndex = new Map();
  const nameIndex = new Map();
  const index = (table, list, key, value) => {
    if (!table.has(key)) table.set(key, list.push(value) - 1);
    return table.get(key);
  };
  let kept = 0;
  const lines = decode(map.mappings).map((segments) => {
    const line = [];
    for (const segment of segments) {
      if (segment.length > 1 && own[segment[1]]) {
        const [column, source, originalLine, originalColumn, name] = segment;
        const mapped = [column, index(sourceIndex, sources, source, map.sources[source])];
        mapped.push(originalLine, originalColumn);
        if (name !== undefined) mapped.push(index(nameIndex, names, name, map.names[name]));
        line.push(mapped);
        kept += 1;
      } else if (line.length > 0 && line.at(-1).length > 1) {
        line.push([segment[0]]);
      }
    }
    return line;
  });
  if (kept === 0) return undefined;
  const relativeSources = sources.map((source) => relative(bundleDir, resolve(bundleDir, source)));
  const pages = [];
  for (let first = 0; first < lines.length; first += PAGE_LINES) {
    const page = lines.slice(first, first + PAGE_LINES);
    // Each page's mappings start from zero, as a map of its own lines would (encode resets).
    pages.push(page.some((line) => line.length > 0) ? encode(page) : null);
  }
  return { sources: relativeSources, names, pageLines: PAGE_LINES, pages };
}
