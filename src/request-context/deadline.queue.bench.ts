/**
 * ns per request deadline with requests in flight (64 at once, each cancelled as its answer goes
 * out, oldest first): DeadlineQueue's list behind one timer against a timer each, plain and
 * unreferenced (startDeadlineTimer, what any other duration still gets). If the queue stops
 * winning clearly, give every request its own timer again.
 *   npm run bench -- micro   (or: npm run build && node dist/request-context/deadline.queue.bench.js)
 */
import { DeadlineQueue, type DeadlineHandle } from './deadline.queue.js';
import { startDeadlineTimer } from './deadline.timer.js';

const REQUESTS = 1_000_000;
const IN_FLIGHT = 64;
const DEADLINE_MS = 30_000;

function onDeadline(): void {
  throw new Error('unreachable: every deadline is cancelled');
}

function nsPerRequest(
  start: () => DeadlineHandle,
  cancel: (handle: DeadlineHandle) => void,
): number {
  const open: DeadlineHandle[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) {
    if (open.length === IN_FLIGHT) cancel(open[i % IN_FLIGHT]!);
    open[i % IN_FLIGHT] = start();
  }
  const ns = Number(process.hrtime.bigint() - started) / REQUESTS;
  for (const handle of open) cancel(handle);
  return ns;
}

const queue = new DeadlineQueue(DEADLINE_MS);
const clear = (handle: DeadlineHandle) => clearTimeout(handle as NodeJS.Timeout);
process.stdout.write(`one request deadline, started and cancelled, ${IN_FLIGHT} in flight\n`);
for (const [name, start, cancel] of [
  ['setTimeout + clearTimeout (plain)', () => setTimeout(onDeadline, DEADLINE_MS), clear],
  ['startDeadlineTimer + clearTimeout', () => startDeadlineTimer(onDeadline, DEADLINE_MS), clear],
  [
    'DeadlineQueue start + cancel',
    () => queue.start(DEADLINE_MS, onDeadline),
    (handle: DeadlineHandle) => queue.cancel(handle),
  ],
] as const) {
  nsPerRequest(start, cancel); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(start, cancel)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
