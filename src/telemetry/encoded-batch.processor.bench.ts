/**
 * What a sampled span waiting for its export costs, held by the plain choice (the SDK's
 * BatchSpanProcessor, the exporter encoding each batch with OtlpTraceEncoder) against
 * EncodedBatchProcessor (each span encoded as it ends): memory held per queued span (V8's heap
 * and ArrayBuffers), measured
 * after a full collection with a queue of 16,384 server spans that no receiver answers; and ns
 * per span from end to request bytes with a receiver that answers at once. If the encoded queue
 * stops holding clearly less, or costs clearly more per span, use the SDK's processor.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/encoded-batch.processor.bench.js)
 */
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EncodedBatchProcessor, type EncodedSpanBatch } from './encoded-batch.processor.js';
import { endHelloSpan } from './hello-span.fixture.js';
import { OtlpTraceEncoder } from './otlp-trace.encoder.js';
import { SpanPipelineStatsRecorder } from './span-pipeline.stats.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const QUEUE = 16_384;
const BATCH = 512;
const SPANS = 200_000;
type Answer = (done: (result: ExportResult) => void) => void;
const never: Answer = () => {};
const atOnce: Answer = (done) => done({ code: ExportResultCode.SUCCESS });

function sdkProcessor(answer: Answer): SpanProcessor {
  const encoder = new OtlpTraceEncoder();
  return new BatchSpanProcessor({
    exporter: {
      export: (spans: ReadableSpan[], done) => {
        encoder.encode(spans);
        answer(done);
      },
      shutdown: async () => {},
    },
    maxQueueSize: QUEUE,
    maxExportBatchSize: BATCH,
    scheduledDelayMillis: 60_000,
  });
}

function encodedProcessor(answer: Answer): SpanProcessor {
  return new EncodedBatchProcessor({
    exporter: {
      exportEncoded: (_batch: EncodedSpanBatch, done) => answer(done),
      forceFlush: async () => {},
      shutdown: async () => {},
    },
    maxQueueSize: QUEUE,
    maxExportBatchSize: BATCH,
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 3_600_000,
    stats: new SpanPipelineStatsRecorder(),
  });
}

function tracerFor(processor: SpanProcessor): Tracer {
  return new TracerProvider({
    sampler: new AlwaysOnSampler(),
    resource: resourceFromAttributes({ 'service.name': 'rampart', 'service.version': '0.1.0' }),
    spanProcessors: [processor],
  }).getTracer('rampart.http.server');
}

/** Ends `count` server spans as rampart records a GET /hello. */
function endSpans(tracer: Tracer, count: number): void {
  for (let i = 0; i < count; i++) endHelloSpan(tracer);
}

/** Memory held per queued span: one batch out and unanswered, the queue full behind it. */
function bytesPerQueuedSpan(make: (answer: Answer) => SpanProcessor): number {
  gc();
  // The encoded spans are in ArrayBuffers, outside the V8 heap: counted too.
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = used();
  const processor = make(never);
  endSpans(tracerFor(processor), QUEUE + BATCH);
  gc();
  const held = used() - before;
  void processor; // kept alive until measured
  return held / (QUEUE + BATCH);
}

/** A batch at a time, letting each export finish between them, as a server's turns do. */
async function nsPerSpan(make: (answer: Answer) => SpanProcessor): Promise<number> {
  const tracer = tracerFor(make(atOnce));
  const started = process.hrtime.bigint();
  for (let ended = 0; ended < SPANS; ended += BATCH) {
    endSpans(tracer, BATCH);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(process.hrtime.bigint() - started) / SPANS;
}

const line = (name: string, value: number, unit: string) =>
  process.stdout.write(`  ${name.padEnd(42)} ${value.toFixed(0).padStart(6)} ${unit}\n`);

for (let round = 0; round < 2; round++) {
  process.stdout.write(`round ${round + 1}\n`);
  line('sdk processor, held per queued span', bytesPerQueuedSpan(sdkProcessor), 'B/span');
  line('encoded processor, held per queued span', bytesPerQueuedSpan(encodedProcessor), 'B/span');
  line('sdk processor, end to request', await nsPerSpan(sdkProcessor), 'ns/span');
  line('encoded processor, end to request', await nsPerSpan(encodedProcessor), 'ns/span');
}
// The unanswered exports' timeouts would keep the process waiting.
process.exit(0);
