import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { SpanPipelineStatsRecorder } from './span-pipeline.stats.js';

/** An exporter whose batches complete only when the test says so. */
class HeldExporter implements SpanExporter {
  readonly pending: Array<{ spans: ReadableSpan[]; done: (r: ExportResult) => void }> = [];
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.pending.push({ spans, done });
  }
  async shutdown(): Promise<void> {}
}

function pipeline(maxQueueSize: number) {
  const stats = new SpanPipelineStatsRecorder();
  const exporter = new HeldExporter();
  const processor = new BatchSpanProcessor({
    exporter,
    maxQueueSize,
    maxExportBatchSize: maxQueueSize,
    scheduledDelayMillis: 60_000,
    selfObsMeterProvider: stats,
  });
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('test');
  const endSpans = (n: number) => {
    for (let i = 0; i < n; i++) tracer.startSpan('s', {}, ROOT_CONTEXT).end();
  };
  // Completes every held batch (each completion may start the next), so no export timer is left.
  const drain = async () => {
    for (let batch = exporter.pending.shift(); batch; batch = exporter.pending.shift()) {
      batch.done({ code: ExportResultCode.SUCCESS });
      await new Promise((r) => setImmediate(r));
    }
    await processor.shutdown();
  };
  return { stats, exporter, processor, endSpans, drain };
}

describe('SpanPipelineStatsRecorder (with the real BatchSpanProcessor)', () => {
  it('counts queue-full drops, the queue, its capacity and exported spans', async () => {
    const { stats, exporter, endSpans, drain } = pipeline(4);
    expect(stats.snapshot()).toEqual({
      exported: 0,
      dropped: 0,
      failed: 0,
      queued: 0,
      capacity: 4,
    });
    // 4 fill the queue and start an export (held); 4 more queue up behind it; 2 are dropped.
    endSpans(4);
    endSpans(6);
    expect(stats.snapshot()).toMatchObject({ dropped: 2, queued: 4 });
    exporter.pending.shift()?.done({ code: ExportResultCode.SUCCESS });
    await new Promise((r) => setImmediate(r));
    expect(stats.snapshot().exported).toBe(4);
    await drain();
    expect(stats.snapshot()).toMatchObject({ exported: 8, dropped: 2, queued: 0 });
  });

  it('counts spans in batches the exporter failed as failed, not exported', async () => {
    const { stats, exporter, processor, endSpans, drain } = pipeline(8);
    endSpans(3);
    const flushed = processor.forceFlush().catch(() => undefined);
    exporter.pending.shift()?.done({ code: ExportResultCode.FAILED, error: new Error('503') });
    await flushed;
    expect(stats.snapshot()).toMatchObject({ exported: 0, failed: 3, dropped: 0 });
    await drain();
  });

  it('leaves other meters untouched (the no-op meter is a shared singleton)', () => {
    const stats = new SpanPipelineStatsRecorder();
    const meter = stats.getMeter();
    meter.createCounter('otel.sdk.processor.span.processed').add(5);
    expect(trace.getTracer('x')).toBeDefined();
    expect(new SpanPipelineStatsRecorder().snapshot().exported).toBe(0);
    expect(stats.snapshot().exported).toBe(5);
  });
});
