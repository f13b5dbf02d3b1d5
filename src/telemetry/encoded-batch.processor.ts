import { context, diag, TraceFlags } from '@opentelemetry/api';
import {
  ExportResultCode,
  globalErrorHandler,
  suppressTracing,
  type ExportResult,
} from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { OtlpTraceEncoder, type EncodedScopeSpans } from './otlp-trace.encoder.js';
import type { SpanPipelineSink } from './span-pipeline.stats.js';

/** One OTLP request, ready to send, and how many spans it carries. */
export interface EncodedSpanBatch {
  readonly request: Uint8Array;
  readonly length: number;
}

/** Sends requests the encoder wrote (telemetry.exporter.ts: OTLP over http/protobuf). */
export interface EncodedSpanExporter {
  exportEncoded(batch: EncodedSpanBatch, done: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function isEncodedSpanExporter(exporter: object): exporter is EncodedSpanExporter {
  return typeof (exporter as Partial<EncodedSpanExporter>).exportEncoded === 'function';
}

export interface EncodedBatchOptions {
  exporter: EncodedSpanExporter;
  /** OTEL_BSP_MAX_QUEUE_SIZE: spans waiting (not the batch being sent); beyond, dropped. */
  maxQueueSize: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans per request. */
  maxExportBatchSize: number;
  /** OTEL_BSP_SCHEDULE_DELAY: the longest a span waits for its batch to fill. */
  scheduledDelayMillis: number;
  /** OTEL_BSP_EXPORT_TIMEOUT: an export not answered by then is counted failed. */
  exportTimeoutMillis: number;
  stats: SpanPipelineSink;
}

interface SealedBatch {
  readonly groups: EncodedScopeSpans[];
  readonly length: number;
  readonly seq: number;
}

/**
 * The SDK's BatchSpanProcessor, as it behaves (the same OTEL_BSP_* settings, one export at a
 * time, drops counted past the queue's size, the same pipeline counts), with one difference: a
 * span is encoded when it ends, and the queue holds the encoded bytes, not the span. The
 * BatchSpanProcessor keeps every span object until its batch's export is answered: at 100 %
 * sampling that is the batch's fill time plus the receiver's round trip, long enough for
 * spans (~1 KB of objects each) to be copied by V8's scavenges and promoted to the old
 * generation. Encoded, a span is ~390 bytes in buffers the collector does not walk, and
 * dies young (encoded-batch.processor.spec.ts: an ended span is collectable before its export).
 * What it buys is memory: ~6 MB against ~16 for a full queue of 16,384 spans
 * (encoded-batch.processor.bench.ts); CPU per request end to end it left where it was
 * (docs/performance.md, "A nineteenth machine").
 */
export class EncodedBatchProcessor implements SpanProcessor {
  private readonly encoder = new OtlpTraceEncoder();
  private readonly sealed: SealedBatch[] = [];
  /** Spans in the open batch and the sealed ones, as the SDK counts its queue. */
  private queued = 0;
  private exporting = false;
  private timer?: NodeJS.Timeout;
  private sealedSeq = 0;
  private doneSeq = 0;
  private flushWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private droppedSinceWarning = 0;
  private shutdownOnce?: Promise<void>;

  constructor(private readonly options: EncodedBatchOptions) {
    options.stats.queue(options.maxQueueSize, () => this.queued);
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.shutdownOnce) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queued >= this.options.maxQueueSize) {
      if (this.droppedSinceWarning++ === 0) diag.debug('maxQueueSize reached, dropping spans');
      this.options.stats.dropped(1);
      return;
    }
    if (this.droppedSinceWarning > 0) {
      diag.warn(`Dropped ${this.droppedSinceWarning} spans because maxQueueSize reached`);
      this.droppedSinceWarning = 0;
    }
    this.encoder.add(span);
    this.queued++;
    if (this.encoder.count >= this.options.maxExportBatchSize) this.seal();
    this.next();
  }

  /** Sends every span that ended before the call; resolves once each batch was answered. */
  async forceFlush(): Promise<void> {
    this.seal();
    const seq = this.sealedSeq;
    if (this.doneSeq < seq) {
      await new Promise<void>((resolve) => {
        this.flushWaiters.push({ seq, resolve });
        this.next();
      });
    }
    await this.options.exporter.forceFlush();
  }

  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.forceFlush().then(() => {
      clearTimeout(this.timer);
      return this.options.exporter.shutdown();
    });
    return this.shutdownOnce;
  }

  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.encoder.count === 0) return;
    const length = this.encoder.count;
    this.sealed.push({ groups: this.encoder.take(), length, seq: ++this.sealedSeq });
  }

  /** Starts the next export, or the timer of the open batch when none is sealed. */
  private next(): void {
    if (this.exporting) return;
    const batch = this.sealed.shift();
    if (!batch) {
      if (this.encoder.count > 0 && this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.seal();
          this.next();
        }, this.options.scheduledDelayMillis);
        this.timer.unref();
      }
      return;
    }
    this.queued -= batch.length;
    this.exporting = true;
    void this.send(batch).then(() => {
      this.exporting = false;
      this.doneSeq = batch.seq;
      const answered = this.flushWaiters.filter((waiter) => waiter.seq <= batch.seq);
      this.flushWaiters = this.flushWaiters.filter((waiter) => waiter.seq > batch.seq);
      for (const waiter of answered) waiter.resolve();
      this.next();
    });
  }

  /** Exports one batch; resolves when it is answered, timed out or thrown, counted either way. */
  private async send(batch: SealedBatch): Promise<void> {
    const { stats, exporter, exportTimeoutMillis } = this.options;
    let timeout: NodeJS.Timeout | undefined;
    let result: ExportResult;
    try {
      // As the SDK does: a resource whose detectors are still running is waited for.
      for (const { resource } of batch.groups) {
        if (resource.asyncAttributesPending) await resource.waitForAsyncAttributes?.();
      }
      const request = this.encoder.request(batch.groups);
      result = await new Promise<ExportResult>((resolve) => {
        timeout = setTimeout(() => {
          const error = new Error('Timeout');
          error.name = 'TimeoutError';
          resolve({ code: ExportResultCode.FAILED, error });
        }, exportTimeoutMillis);
        // The export's own HTTP request is not traced (it would make spans of its own).
        context.with(suppressTracing(context.active()), () =>
          exporter.exportEncoded({ request, length: batch.length }, resolve),
        );
      });
    } catch (error) {
      result = {
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      };
    } finally {
      clearTimeout(timeout);
    }
    if (result.code === ExportResultCode.SUCCESS) return stats.finished(batch.length);
    const error = result.error ?? new Error('span export failed');
    stats.finished(batch.length, error);
    globalErrorHandler(error);
  }
}
