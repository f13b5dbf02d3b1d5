/**
 * ns per log-line timestamp when every line falls in a new millisecond (a pod at a few hundred
 * requests a second; at tens of thousands, lines share a millisecond and both ways cost a
 * comparison): IsoClock against the plain choice, `new Date(now).toISOString()`, each written
 * into a line (which makes V8 flatten it). If IsoClock stops winning clearly, use toISOString.
 *   npm run bench -- micro   (or: npm run build && node dist/logging/iso-clock.bench.js)
 */
import { IsoClock } from './iso-clock.js';

const LINES = 500_000;
const START = Date.UTC(2026, 11, 4, 20, 8, 44, 0);

function nsPerLine(make: () => (now: number) => string): number {
  const time = make();
  let bytes = 0;
  const started = process.hrtime.bigint();
  // A millisecond further on each line: every line formats.
  for (let i = 0; i < LINES; i++) bytes += Buffer.byteLength(`{"time":"${time(START + i)}"}`);
  const ns = Number(process.hrtime.bigint() - started) / LINES;
  if (bytes === 0) throw new Error('unreachable: keeps the lines');
  return ns;
}

process.stdout.write('one ISO timestamp a millisecond, written into a log line\n');
for (const [name, make] of [
  ['new Date(now).toISOString() (plain)', () => (now: number) => new Date(now).toISOString()],
  [
    'IsoClock.now()',
    () => {
      const at = { now: 0 };
      const clock = new IsoClock(() => at.now);
      return (now: number) => {
        at.now = now;
        return clock.now();
      };
    },
  ],
] as const) {
  nsPerLine(make); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerLine(make)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
