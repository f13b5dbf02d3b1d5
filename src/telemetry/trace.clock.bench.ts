/**
 * ns per sampled request (a server span and one child span, started and ended) with TraceClock
 * first among the span processors and without it: what keeping a trace's spans on one clock
 * costs. Not an optimisation but a correctness fix on the sampled path; this says its price.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/trace.clock.bench.js)
 */
import { context, trace, type Tracer } from '@opentelemetry/api';
import {
  AlwaysOnSampler,
  NoopSpanProcessor,
  TracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { TraceClock } from './trace.clock.js';

function tracer(processors: SpanProcessor[]): Tracer {
  return new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: processors,
  }).getTracer('trace-clock-bench');
}

function nsPerRequest(spans: Tracer): number {
  const requests = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) {
    const server = spans.startSpan('POST /api/items');
    spans.startSpan('pg.query', {}, trace.setSpan(context.active(), server)).end();
    server.end();
  }
  return Number(process.hrtime.bigint() - started) / requests;
}

process.stdout.write('server span + one child span, per sampled request\n');
for (const [name, spans] of [
  ['SDK clock (plain)', tracer([new NoopSpanProcessor()])],
  ['TraceClock', tracer([new TraceClock(), new NoopSpanProcessor()])],
] as const) {
  nsPerRequest(spans); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(spans)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
