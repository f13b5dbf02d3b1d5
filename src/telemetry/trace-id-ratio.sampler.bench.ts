/**
 * ns per sampling decision on a fresh trace id (made by the same id generator for both):
 * TraceIdRatioSampler against the plain choice, the SDK's TraceIdRatioBasedSampler. If ours
 * stops winning clearly, use the SDK's.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/trace-id-ratio.sampler.bench.js)
 */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './pooled-id.generator.js';
import { TraceIdRatioSampler } from './trace-id-ratio.sampler.js';

const ids = new PooledIdGenerator();

function nsPerDecision(sampler: Sampler): number {
  const decisions = 500_000;
  let sampled = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < decisions; i++) {
    sampled += sampler.shouldSample(ROOT_CONTEXT, ids.generateTraceId(), '', 1, {}, []).decision;
  }
  const ns = Number(process.hrtime.bigint() - started) / decisions;
  if (sampled < 0) throw new Error('unreachable: keeps the decisions alive');
  return ns;
}

process.stdout.write('a fresh trace id and its sampling decision at ratio 0.1\n');
for (const [name, sampler] of [
  ['TraceIdRatioBasedSampler (plain, SDK)', new TraceIdRatioBasedSampler(0.1)],
  ['TraceIdRatioSampler', new TraceIdRatioSampler(0.1)],
] as const) {
  nsPerDecision(sampler); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerDecision(sampler)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
