/**
 * ns per request id, made and written into a log line's field (which makes V8 flatten it):
 * RequestIds against the plain choice, crypto.randomUUID(). If RequestIds stops winning clearly,
 * use randomUUID.
 *   npm run bench -- micro   (or: npm run build && node dist/request-context/request-id.bench.js)
 */
import { randomUUID } from 'node:crypto';
import { RequestIds } from './request-id.js';

const IN_FLIGHT = 100;

function nsPerId(make: () => string): number {
  const ids = 500_000;
  // The ids of the requests in flight stay alive, as they do on the requests.
  const open: string[] = new Array<string>(IN_FLIGHT).fill('');
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < ids; i++) {
    const id = make();
    open[i % IN_FLIGHT] = id;
    bytes += Buffer.byteLength(`"reqId":"${id}"`);
  }
  const ns = Number(process.hrtime.bigint() - started) / ids;
  if (bytes === 0 || open.length === 0) throw new Error('unreachable: keeps the ids alive');
  return ns;
}

const ids = new RequestIds();
process.stdout.write('one request id, made and written into a log field\n');
for (const [name, make] of [
  ['crypto.randomUUID() (plain)', () => randomUUID()],
  ['RequestIds.next()', () => ids.next()],
] as const) {
  nsPerId(make); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerId(make)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
