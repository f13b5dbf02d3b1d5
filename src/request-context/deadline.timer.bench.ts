/**
 * ns per request deadline timer when requests do not overlap (each answered before the next
 * arrives, so its timer is the only one of its duration): a plain setTimeout/clearTimeout pair
 * against startDeadlineTimer's unreferenced one. If the unreferenced timer stops winning
 * clearly, use the plain one.
 *   npm run bench -- micro   (or: npm run build && node dist/request-context/deadline.timer.bench.js)
 */
import { startDeadlineTimer } from './deadline.timer.js';

const REQUESTS = 1_000_000;
const DEADLINE_MS = 30_000;

function nsPerRequest(start: (ms: number) => NodeJS.Timeout): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) clearTimeout(start(DEADLINE_MS));
  return Number(process.hrtime.bigint() - started) / REQUESTS;
}

function onDeadline(): void {
  throw new Error('unreachable: every timer is cleared');
}

process.stdout.write('one request deadline timer, set and cleared, the only one of its duration\n');
for (const [name, start] of [
  ['setTimeout + clearTimeout (plain)', (ms: number) => setTimeout(onDeadline, ms)],
  ['startDeadlineTimer + clearTimeout', (ms: number) => startDeadlineTimer(onDeadline, ms)],
] as const) {
  nsPerRequest(start); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(start)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
