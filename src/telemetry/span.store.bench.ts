/**
 * ns per trace key, as SpanStore.onEnd takes one for every span a loaded second offers: the
 * plain choice, `Number.parseInt(traceId.slice(-4), 16)`, against traceKey, which reads the four
 * hex digits in place. If traceKey stops winning clearly, go back to parseInt.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/span.store.bench.js)
 */
import { randomBytes } from 'node:crypto';
import { traceKey } from './span.store.js';

const IDS = Array.from({ length: 1_024 }, () => randomBytes(16).toString('hex'));
const KEYS = 2_000_000;

function nsPerKey(key: (traceId: string) => number): number {
  let sum = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < KEYS; i++) sum += key(IDS[i & 1_023]!);
  const ns = Number(process.hrtime.bigint() - started) / KEYS;
  if (sum < 0) throw new Error('unreachable: keeps the keys');
  return ns;
}

process.stdout.write("one trace id's key (its last four hex digits)\n");
for (const [name, key] of [
  ['Number.parseInt(id.slice(-4), 16) (plain)', (id: string) => Number.parseInt(id.slice(-4), 16)],
  ['traceKey(id)', traceKey],
] as const) {
  nsPerKey(key); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerKey(key)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
