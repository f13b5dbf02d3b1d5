/**
 * ns per request's server span without a caller's trace context: RootSpanStarter against the
 * plain choice, the SDK tracer's startSpan with the configured (parent-based) sampler. Both
 * with the same id generator and no span processor; at ratio 0 every span is the unsampled
 * kind, at 0.1 one in ten records. If the starter stops winning clearly, call the SDK.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/root-span.starter.bench.js)
 */
import { ROOT_CONTEXT, SpanKind, type Span } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './pooled-id.generator.js';
import { RootSpanStarter } from './root-span.starter.js';
import { rootSamplerFromConfig, samplerFromConfig } from './telemetry.sampler.js';

function setup(ratio: number): Array<[string, () => Span]> {
  const ids = new PooledIdGenerator();
  const tracer = new TracerProvider({
    idGenerator: ids,
    sampler: samplerFromConfig('parentbased_traceidratio', ratio),
  }).getTracer('bench');
  const starter = new RootSpanStarter(
    rootSamplerFromConfig('parentbased_traceidratio', ratio),
    ids,
  );
  return [
    [
      `SDK startSpan (plain), ratio ${ratio}`,
      () => tracer.startSpan('GET', { kind: SpanKind.SERVER }, ROOT_CONTEXT),
    ],
    [
      `RootSpanStarter, ratio ${ratio}`,
      () => starter.start(tracer, 'GET', SpanKind.SERVER, ROOT_CONTEXT),
    ],
  ];
}

function nsPerSpan(start: () => Span): number {
  const spans = 300_000;
  let recorded = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < spans; i++) {
    const span = start();
    if (span.isRecording()) {
      recorded++;
      span.end();
    }
  }
  const ns = Number(process.hrtime.bigint() - started) / spans;
  if (recorded < 0) throw new Error('unreachable: keeps the loop honest');
  return ns;
}

process.stdout.write('a request span with no trace context in the request, per request\n');
for (const ratio of [0, 0.1]) {
  for (const [name, start] of setup(ratio)) {
    nsPerSpan(start); // warm-up
    const best = Math.min(...[1, 2, 3].map(() => nsPerSpan(start)));
    process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
  }
}
