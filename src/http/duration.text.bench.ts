/**
 * ns per access line's duration: durationText (a whole number and a table of hundredths) against
 * the plain `String(Math.round(ms * 100) / 100)`, over durations that differ as requests' do. If
 * the table stops winning clearly, format the number.
 *   npm run bench -- micro   (or: npm run build && node dist/http/duration.text.bench.js)
 */
import { durationText } from './duration.text.js';

const DURATIONS = Array.from({ length: 4096 }, (_, i) => 0.05 + ((i * 7919) % 40_000) / 997);
let kept = 0;

function nsPerDuration(format: (ms: number) => string): number {
  const rounds = 300_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) kept += format(DURATIONS[i & 4095]!).length;
  return Number(process.hrtime.bigint() - started) / rounds;
}

process.stdout.write('one request duration as the access line writes it\n');
for (const [name, format] of [
  [
    'String(Math.round(ms * 100) / 100) (plain)',
    (ms: number) => String(Math.round(ms * 100) / 100),
  ],
  ['durationText', durationText],
] as const) {
  nsPerDuration(format); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerDuration(format)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
if (kept === 0) process.stdout.write('(nothing formatted)\n');
