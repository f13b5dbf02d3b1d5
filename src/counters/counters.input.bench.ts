/**
 * ns per counter name checked: parseCounterName (the schema's pattern, then the schema only for
 * a name it refuses) against the plain choice, a schema parse per request. If the fast path
 * stops winning clearly, parse with the schema alone.
 *   npm run bench -- micro   (or: npm run build && node dist/counters/counters.input.bench.js)
 */
import { parseInput } from '../openapi/contract.input.js';
import { counterParams, parseCounterName } from './counters.input.js';

const NAMES = ['hot', 'visits', 'page.views', 'a-b_c.d'];

function nsPerName(check: (raw: string) => string): number {
  const runs = 1_000_000;
  let length = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) length += check(NAMES[i & 3]!).length;
  const ns = Number(process.hrtime.bigint() - started) / runs;
  if (length === 0) throw new Error('unreachable: keeps the results used');
  return ns;
}

process.stdout.write('one valid counter name, checked\n');
for (const [name, check] of [
  ['schema parse (plain)', (raw: string) => parseInput(counterParams, { name: raw }).name],
  ['parseCounterName()', parseCounterName],
] as const) {
  nsPerName(check); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerName(check)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
