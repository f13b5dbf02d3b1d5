import { ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  EncodedBatchProcessor,
  type EncodedSpanBatch,
  type EncodedSpanExporter,
} from './encoded-batch.processor.js';
import { OtlpTraceEncoder } from './otlp-trace.encoder.js';
import { SpanPipelineStatsRecorder } from './span-pipeline.stats.js';

/** An exporter whose batches are answered only when the test says so; `held` waits for them. */
class HeldExporter implements EncodedSpanExporter {
  readonly pending: Array<{ batch: EncodedSpanBatch; done: (r: ExportResult) => void }> = [];
  shutDown = false;
  private waiters: Array<() => void> = [];

  exportEncoded(batch: EncodedSpanBatch, done: (r: ExportResult) => void): void {
    this.pending.push({ batch, done });
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once `n` batches have been handed over and not yet answered. */
  async held(n: number): Promise<void> {
    while (this.pending.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  answer(result: ExportResult = { code: ExportResultCode.SUCCESS }) {
    const next = this.pending.shift();
    if (!next) throw new Error('no batch is held');
    next.done(result);
    return next.batch;
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {
    this.shutDown = true;
  }
}

interface PipelineOptions {
  batch: number;
  queue: number;
  delay: number;
  timeout: number;
  /** Also keep every ended span for comparison (false: nothing else holds them). */
  record: boolean;
}

function pipeline(options: Partial<PipelineOptions> = {}) {
  const stats = new SpanPipelineStatsRecorder();
  const exporter = new HeldExporter();
  const processor = new EncodedBatchProcessor({
    exporter,
    maxQueueSize: options.queue ?? 100,
    maxExportBatchSize: options.batch ?? 10,
    scheduledDelayMillis: options.delay ?? 60_000,
    exportTimeoutMillis: options.timeout ?? 60_000,
    stats,
  });
  // The same spans, recorded as they end, to encode at once for comparison.
  const recorded = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [
      processor,
      ...(options.record === false ? [] : [new SimpleSpanProcessor({ exporter: recorded })]),
    ],
  });
  const tracer = provider.getTracer('test');
  const endSpans = (n: number) => {
    for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`, {}, ROOT_CONTEXT).end();
  };
  return { stats, exporter, processor, recorded, tracer, provider, endSpans };
}

describe('EncodedBatchProcessor', () => {
  it('sends a full batch at once, as the bytes the encoder writes for those spans together', async () => {
    const { exporter, recorded, endSpans, stats } = pipeline({ batch: 10 });
    endSpans(10);
    await exporter.held(1);
    const batch = exporter.answer();
    expect(batch.length).toBe(10);
    const reference = new OtlpTraceEncoder().encode(recorded.getFinishedSpans());
    expect(Buffer.from(batch.request).equals(Buffer.from(reference))).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(stats.snapshot()).toMatchObject({ exported: 10, queued: 0, failed: 0, dropped: 0 });
  });

  it('groups each batch by scope in that batch’s own first-seen order', async () => {
    const { exporter, recorded, provider } = pipeline({ batch: 4 });
    const a = provider.getTracer('a');
    const b = provider.getTracer('b');
    for (const tracer of [a, b, a, b, b, a, a, b]) tracer.startSpan('x', {}, ROOT_CONTEXT).end();
    await exporter.held(1);
    exporter.answer();
    await exporter.held(1);
    const second = exporter.answer();
    const spans = recorded.getFinishedSpans().slice(4);
    // The second batch starts with b's span, so its b scope comes first, as the serializer writes it.
    expect(spans[0]!.instrumentationScope.name).toBe('b');
    const reference = new OtlpTraceEncoder().encode(spans);
    expect(Buffer.from(second.request).equals(Buffer.from(reference))).toBe(true);
  });

  it('sends a batch that does not fill after the schedule delay', async () => {
    const { exporter, endSpans } = pipeline({ batch: 10, delay: 20 });
    endSpans(3);
    expect(exporter.pending).toHaveLength(0);
    await exporter.held(1);
    expect(exporter.answer().length).toBe(3);
  });

  it('exports one batch at a time; the next waits for the answer', async () => {
    const { exporter, endSpans, stats } = pipeline({ batch: 5, queue: 100 });
    endSpans(15);
    await exporter.held(1);
    await new Promise((r) => setImmediate(r));
    expect(exporter.pending).toHaveLength(1);
    // The batch being sent is out of the queue, as the SDK counts it.
    expect(stats.snapshot().queued).toBe(10);
    exporter.answer();
    await exporter.held(1);
    exporter.answer();
    await exporter.held(1);
    exporter.answer();
    await new Promise((r) => setImmediate(r));
    expect(stats.snapshot()).toMatchObject({ exported: 15, queued: 0 });
  });

  it('drops and counts spans past the queue size, and ignores unsampled ones', async () => {
    const { exporter, endSpans, stats, processor } = pipeline({ batch: 5, queue: 10 });
    endSpans(5); // the first batch goes out and is held
    await exporter.held(1);
    endSpans(13); // 10 wait, 3 are dropped
    expect(stats.snapshot()).toMatchObject({ queued: 10, dropped: 3, capacity: 10 });
    const unsampled = new TracerProvider({ sampler: new AlwaysOffSampler() })
      .getTracer('off')
      .startSpan('u', {}, ROOT_CONTEXT);
    expect(unsampled.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    processor.onEnd(unsampled as never);
    expect(stats.snapshot().queued).toBe(10);
  });

  it('counts a failed export and an unanswered one as failed', async () => {
    const { exporter, endSpans, stats } = pipeline({ batch: 2, timeout: 50 });
    endSpans(2);
    await exporter.held(1);
    exporter.answer({ code: ExportResultCode.FAILED, error: new Error('receiver down') });
    endSpans(2);
    await exporter.held(1);
    // The second is never answered: its timeout counts it failed.
    while (stats.snapshot().failed < 4) await new Promise((r) => setTimeout(r, 10));
    expect(stats.snapshot()).toMatchObject({ exported: 0, failed: 4 });
  });

  it('forceFlush sends the open batch and resolves once it is answered; shutdown flushes first', async () => {
    const { exporter, endSpans, processor, stats } = pipeline({ batch: 10 });
    endSpans(4);
    let flushed = false;
    const flush = processor.forceFlush().then(() => (flushed = true));
    await exporter.held(1);
    await new Promise((r) => setImmediate(r));
    expect(flushed).toBe(false);
    exporter.answer();
    await flush;
    expect(stats.snapshot().exported).toBe(4);

    endSpans(2);
    const shutdown = processor.shutdown();
    await exporter.held(1);
    expect(exporter.shutDown).toBe(false);
    exporter.answer();
    await shutdown;
    expect(exporter.shutDown).toBe(true);
    endSpans(20); // after shutdown: ignored
    expect(stats.snapshot()).toMatchObject({ exported: 6, queued: 0 });
  });

  it('holds no span object while its batch waits: an ended span can be collected before its export', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { exporter, tracer, stats } = pipeline({ batch: 10, record: false });
    const ended = (() => {
      const span = tracer.startSpan('kept?', {}, ROOT_CONTEXT);
      span.end();
      return new WeakRef(span);
    })();
    expect(stats.snapshot().queued).toBe(1);
    for (let i = 0; i < 5 && ended.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(ended.deref()).toBeUndefined();
    expect(exporter.pending).toHaveLength(0);
  });
});
