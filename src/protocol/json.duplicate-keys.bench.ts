/**
 * ns per body for what the JSON body parser does with the text (json.shape.ts's scan, then
 * JSON.parse): without the repeated-key check, as before it; with it (the scan's key count
 * against the parsed value's); and with the plain way to look (walking the text for repeats
 * every time, which also scans a short body): an items
 * create body and two 16 KiB bodies, one of many small objects (the most keys per byte, the
 * check's worst case) and one mostly long strings. If counting stops beating the walk clearly,
 * walk every time.
 *   npm run build && taskset -c 1 node dist/protocol/json.duplicate-keys.bench.js
 */
import { duplicateKeyPointer, firstRepeatedKey } from './json.duplicate-keys.js';
import { jsonShape, jsonShapeProblem } from './json.shape.js';

const ROUNDS = 5;
const KIB_16 = 16 * 1024;

function fill(make: (i: number) => unknown): string {
  const rows: unknown[] = [];
  while (JSON.stringify(rows).length < KIB_16) rows.push(make(rows.length));
  return JSON.stringify(rows);
}

const BODIES: Array<[string, string]> = [
  [
    'items create',
    JSON.stringify({ name: 'blue widget', description: 'A small blue widget.', tags: ['a', 'b'] }),
  ],
  [
    '16 KiB, small objects',
    fill((i) => ({ id: i, name: `row ${i}`, ok: true, at: { x: i, y: -i } })),
  ],
  [
    '16 KiB, long strings',
    fill((i) => ({
      name: `item ${i}`,
      description: 'Lorem ipsum {dolor} sit "amet", consectetur. '.repeat(40),
    })),
  ],
];

/** The parser's work on a body without a repeat; each answers 1 when it found none. */
const CHECKS: Array<[string, (text: string) => number | string]> = [
  // As before the check: the shape scan skips a short body.
  ['no check', (text) => (jsonShapeProblem(text), JSON.parse(text), 1)],
  [
    'count, name on mismatch',
    (text) => duplicateKeyPointer(text, JSON.parse(text), jsonShape(text).keys) ?? 1,
  ],
  [
    'walk the text always',
    (text) => (jsonShape(text), JSON.parse(text), firstRepeatedKey(text) ?? 1),
  ],
];

function nsPer(check: (text: string) => unknown, text: string): number {
  const n = Math.max(200, Math.floor(4_000_000 / text.length));
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (check(text) === 1) sink++;
  const ns = Number(process.hrtime.bigint() - started) / n;
  if (sink !== n) throw new Error('a check found a repeat in a body without one');
  return ns;
}

for (const [body, text] of BODIES) {
  process.stdout.write(`${body} (${text.length} bytes)\n`);
  for (const [name, check] of CHECKS) {
    nsPer(check, text); // warm-up
    // Best of ROUNDS: the machine is shared; the minimum is the least disturbed run.
    const best = Math.min(...Array.from({ length: ROUNDS }, () => nsPer(check, text)));
    process.stdout.write(
      `  ${`${body}: ${name}`.padEnd(48)} ${best.toFixed(0).padStart(8)} ns/body\n`,
    );
  }
}
