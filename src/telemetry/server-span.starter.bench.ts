/**
 * ns per request's server span without a caller's trace context, started, given the request's
 * attributes and ended as server-span.hooks.ts does for GET /hello: ServerSpanStarter (a
 * ServerSpan when recorded) against the plain choice, the SDK tracer's startSpan with the
 * configured (parent-based) sampler and the SDK's span. Same id generator, same processor (one
 * that keeps nothing); at ratio 0 every span is the unsampled kind, at 0.1 one in ten records,
 * at 1 all. Each is timed in a process of its own: in one process the two kinds of span make
 * the loop's calls polymorphic, which charges whichever runs second (a server has one kind).
 * If the starter stops winning clearly, go back to the SDK's tracer.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/server-span.starter.bench.js)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT, SpanKind, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NoopSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { helloAttributes } from './hello-span.fixture.js';
import { PooledIdGenerator } from './pooled-id.generator.js';
import { ServerSpanStarter } from './server-span.starter.js';
import { ServerSpan } from './server.span.js';
import { spanLimits } from './span.rules.js';
import { rootSamplerFromConfig, samplerFromConfig } from './telemetry.sampler.js';

const LIMITS = spanLimits(1_024);

function setup(ratio: number): Array<[string, () => Span]> {
  const ids = new PooledIdGenerator();
  const resource = resourceFromAttributes({ 'service.name': 'bench' });
  const processors = [new NoopSpanProcessor()];
  const tracer = new TracerProvider({
    resource,
    idGenerator: ids,
    sampler: samplerFromConfig('parentbased_traceidratio', ratio),
    spanLimits: LIMITS,
    spanProcessors: processors,
  }).getTracer('rampart.http.server');
  const starter = new ServerSpanStarter(
    rootSamplerFromConfig('parentbased_traceidratio', ratio),
    samplerFromConfig('parentbased_traceidratio', ratio),
    ids,
    { resource, scope: { name: 'rampart.http.server' }, processors, limits: LIMITS },
  );
  return [
    [
      `SDK tracer and span (plain), ratio ${ratio}`,
      () => {
        const span = tracer.startSpan('GET', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
        if (span.isRecording()) {
          span.updateName('GET /hello');
          span.setAttributes(helloAttributes());
        }
        return span;
      },
    ],
    [
      `ServerSpanStarter, ratio ${ratio}`,
      () => {
        const span = starter.start('GET', ROOT_CONTEXT);
        if (span instanceof ServerSpan) {
          span.updateName('GET /hello');
          span.recordRequest(helloAttributes());
        }
        return span;
      },
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
      span.setAttribute('http.response.status_code', 200);
      span.end();
    }
  }
  const ns = Number(process.hrtime.bigint() - started) / spans;
  if (recorded < 0) throw new Error('unreachable: keeps the loop honest');
  return ns;
}

const RATIOS = [0, 0.1, 1];
const [ratioArg, variantArg] = process.argv.slice(2);
if (ratioArg === undefined) {
  process.stdout.write(
    "a request's server span with no trace context in the request, per request\n",
  );
  for (const ratio of RATIOS) {
    for (const variant of [0, 1]) {
      const args = [fileURLToPath(import.meta.url), String(ratio), String(variant)];
      process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }));
    }
  }
} else {
  const [name, start] = setup(Number(ratioArg))[Number(variantArg)]!;
  nsPerSpan(start); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerSpan(start)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
