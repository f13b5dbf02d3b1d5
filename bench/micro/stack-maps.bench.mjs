// The first stack trace through main.js, as a process pays it once: reading the map and building
// the index node:module's SourceMap looks frames up in, for the whole chunk map (what Node's own
// source-map support indexed on its first lookup) against the page of rampart's part a frame is
// on (dist/bundle/stack-maps.json, read by src/telemetry/stack-trace.mapper.ts; unpaged, that
// part took 91 ms and kept 3.4 MB). Each figure is a
// fresh process (the cost is a cold one: a warmed-up JIT would understate it), median of three,
// with the heap the index keeps. Needs `npm run build`.
//   npm run bench -- micro   (or: node bench/micro/stack-maps.bench.mjs)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../../dist/bundle/', import.meta.url);
/** The frame's line in main.js (0-based): any line; the index is built whole either way. */
const LINE = 100_000;
const variants = {
  "main.js's whole map (Node's support)": () => ({
    payload: JSON.parse(readFileSync(new URL('main.js.map', bundle), 'utf8')),
    line: LINE,
  }),
  "rampart's part, the frame's page (stack-maps.json)": () => {
    const chunk = JSON.parse(readFileSync(new URL('stack-maps.json', bundle), 'utf8'))['main.js'];
    const index = Math.floor(LINE / chunk.pageLines);
    const payload = { ...chunk, version: 3, mappings: chunk.pages[index] ?? '' };
    return { payload, line: LINE - index * chunk.pageLines };
  },
};

const [label] = process.argv.slice(2);
if (label) {
  // One child: read, index, look one frame up; print ns and the heap kept.
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const { payload, line } = variants[label]();
  const map = new SourceMap(payload);
  map.findEntry(line, 0);
  const ns = Number(process.hrtime.bigint() - started);
  globalThis.gc?.();
  process.stdout.write(`${ns} ${process.memoryUsage().heapUsed - heapBefore} ${map ? 1 : 0}\n`);
} else {
  process.stdout.write('the first stack through main.js: map read and indexed, one frame found\n');
  for (const name of Object.keys(variants)) {
    const runs = [1, 2, 3].map(() => {
      const out = execFileSync(process.execPath, [
        '--expose-gc',
        fileURLToPath(import.meta.url),
        name,
      ]);
      const [ns, heap] = String(out).trim().split(' ').map(Number);
      return { ns, heap };
    });
    const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[1];
    const mb = (Math.max(0, median('heap')) / 1e6).toFixed(1);
    process.stdout.write(
      `  ${`${name}, ${mb} MB kept`.padEnd(64)} ${String(median('ns')).padStart(10)} ns/op\n`,
    );
  }
}
