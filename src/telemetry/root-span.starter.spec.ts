import { ROOT_CONTEXT, SpanKind, TraceFlags, isSpanContextValid } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './pooled-id.generator.js';
import { RootSpanStarter } from './root-span.starter.js';
import { rootSamplerFromConfig, samplerFromConfig } from './telemetry.sampler.js';
import { TraceIdRatioSampler } from './trace-id-ratio.sampler.js';

function setup(ratio: number) {
  const ids = new PooledIdGenerator();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    idGenerator: ids,
    sampler: samplerFromConfig('parentbased_traceidratio', ratio),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('spec');
  const starter = new RootSpanStarter(
    rootSamplerFromConfig('parentbased_traceidratio', ratio),
    ids,
  );
  const start = () => starter.start(tracer, 'GET', SpanKind.SERVER, ROOT_CONTEXT);
  // Flushed first, so a span still on its way through the processor is not missed.
  const finished = async () => {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  };
  return { ids, finished, start };
}

describe('RootSpanStarter', () => {
  it('gives an unsampled request a non-recording span with fresh valid ids, unseen by the SDK', async () => {
    const { finished, start } = setup(0);
    const a = start();
    const b = start();
    expect(a.isRecording()).toBe(false);
    expect(isSpanContextValid(a.spanContext())).toBe(true);
    expect(a.spanContext().traceFlags).toBe(TraceFlags.NONE);
    expect(b.spanContext().traceId).not.toBe(a.spanContext().traceId);
    expect(b.spanContext().spanId).not.toBe(a.spanContext().spanId);
    a.end();
    expect(await finished()).toHaveLength(0);
  });

  it('hands a sampled root to the SDK with the trace id it was sampled on, once', async () => {
    const { ids, finished, start } = setup(1);
    const span = start();
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
    span.end();
    const [ended] = await finished();
    expect(ended?.spanContext().traceId).toBe(span.spanContext().traceId);
    expect(ended?.parentSpanContext).toBeUndefined();
    // The handed-over id is not given out again.
    expect(ids.generateTraceId()).not.toBe(span.spanContext().traceId);
  });

  it('records exactly the traces the ratio sampler picks by their id, about the ratio of them', async () => {
    const { finished, start } = setup(0.1);
    const bySampler = new TraceIdRatioSampler(0.1);
    const spans = Array.from({ length: 10_000 }, start);
    for (const span of spans) {
      const { decision } = bySampler.shouldSample(ROOT_CONTEXT, span.spanContext().traceId);
      expect(span.isRecording()).toBe(decision !== 0);
      span.end();
    }
    const recorded = (await finished()).length;
    expect(recorded / spans.length).toBeGreaterThan(0.08);
    expect(recorded / spans.length).toBeLessThan(0.12);
  });
});
