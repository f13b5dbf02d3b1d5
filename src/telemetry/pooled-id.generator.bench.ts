/**
 * ns per request's ids (one trace id and one span id) from PooledIdGenerator against the SDK's
 * RandomIdGenerator, the plain choice. If the pool stops winning clearly, use the SDK's.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/pooled-id.generator.bench.js)
 */
import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './pooled-id.generator.js';

function nsPerRequest(ids: IdGenerator): number {
  const requests = 500_000;
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) {
    sink += ids.generateTraceId().length + ids.generateSpanId().length;
  }
  const ns = Number(process.hrtime.bigint() - started) / requests;
  if (sink === 0) throw new Error('unreachable: keeps the ids alive');
  return ns;
}

process.stdout.write('trace id + span id, per request\n');
for (const [name, ids] of [
  ['RandomIdGenerator (plain, SDK)', new RandomIdGenerator()],
  ['PooledIdGenerator', new PooledIdGenerator()],
] as const) {
  nsPerRequest(ids); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(ids)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
