/**
 * ns per span to encode a batch of 512 server spans as rampart records them into an OTLP
 * protobuf request: the plain choice, `@opentelemetry/otlp-transformer`'s
 * ProtobufTraceSerializer (what the OTLP exporter uses by itself), against OtlpTraceEncoder,
 * which writes the same bytes. If the encoder stops winning clearly, use the serializer.
 *   npm run bench -- micro   (or: npm run build && node dist/telemetry/otlp-trace.encoder.bench.js)
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { endHelloSpan } from './hello-span.fixture.js';
import { OtlpTraceEncoder } from './otlp-trace.encoder.js';

const BATCH = 512;
const BATCHES = 400;

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  sampler: new AlwaysOnSampler(),
  resource: resourceFromAttributes({ 'service.name': 'rampart', 'service.version': '0.1.0' }),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const tracer = provider.getTracer('rampart.http.server');
for (let i = 0; i < BATCH; i++) endHelloSpan(tracer);
const spans = exporter.getFinishedSpans();

function nsPerSpan(encode: (batch: ReadableSpan[]) => Uint8Array | undefined): number {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCHES; i++) bytes += encode(spans)?.length ?? 0;
  const ns = Number(process.hrtime.bigint() - started) / (BATCHES * BATCH);
  if (bytes === 0) throw new Error('unreachable: every batch encodes');
  return ns;
}

const encoder = new OtlpTraceEncoder();
process.stdout.write(`one server span, encoded in a batch of ${BATCH} as OTLP protobuf\n`);
for (const [name, encode] of [
  [
    'ProtobufTraceSerializer (plain)',
    (b: ReadableSpan[]) => ProtobufTraceSerializer.serializeRequest(b),
  ],
  ['OtlpTraceEncoder', (b: ReadableSpan[]) => encoder.encode(b)],
] as const) {
  nsPerSpan(encode); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerSpan(encode)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
