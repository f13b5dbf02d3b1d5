import {
  createNoopMeter,
  type Attributes,
  type Meter,
  type MeterProvider,
  type ObservableCallback,
  type ObservableResult,
  type ObservableUpDownCounter,
} from '@opentelemetry/api';
import type { SpanPipelineStats } from './telemetry.handle.js';

// The BatchSpanProcessor reports what happens to each span through the self-observability
// instruments of the OTel semantic conventions (otel.sdk.processor.span.*,
// opentelemetry.io/docs/specs/semconv/otel/sdk-metrics/). Giving it this meter provider is the
// public way to learn about queue-full drops, which it otherwise only logs at debug level.
const PROCESSED = 'otel.sdk.processor.span.processed';
const QUEUE_SIZE = 'otel.sdk.processor.span.queue.size';
const QUEUE_CAPACITY = 'otel.sdk.processor.span.queue.capacity';
const ERROR_TYPE = 'error.type';

/** What a span processor reports, as plain calls (encoded-batch.processor.ts makes them). */
export interface SpanPipelineSink {
  /** Spans finished: accepted by the receiver, or failed with `error` (its name is counted). */
  finished(count: number, error?: { name: string }): void;
  /** Spans dropped because the queue was full. */
  dropped(count: number): void;
  /** The queue's capacity, and how to read its length on a snapshot. */
  queue(capacity: number, length: () => number): void;
}

/**
 * Turns the span processor's self-observability instruments into plain counters that the
 * Prometheus side reads on scrape, without running an OpenTelemetry metrics SDK. The SDK's
 * BatchSpanProcessor reports through `getMeter`; rampart's own processor through the
 * SpanPipelineSink calls.
 */
export class SpanPipelineStatsRecorder implements MeterProvider, SpanPipelineSink {
  private exportedCount = 0;
  private droppedCount = 0;
  private failedCount = 0;
  private capacity = 0;
  private readonly queueCallbacks = new Set<ObservableCallback>();

  getMeter(): Meter {
    // createNoopMeter() returns a shared singleton: delegate to it, never modify it.
    const noop = createNoopMeter();
    const queueSize: ObservableUpDownCounter = {
      addCallback: (callback) => void this.queueCallbacks.add(callback),
      removeCallback: (callback) => void this.queueCallbacks.delete(callback),
    };
    return {
      createCounter: (name, options) =>
        name === PROCESSED
          ? { add: (value: number, attributes?: Attributes) => this.processed(value, attributes) }
          : noop.createCounter(name, options),
      createUpDownCounter: (name, options) =>
        name === QUEUE_CAPACITY
          ? { add: (value: number) => void (this.capacity += value) }
          : noop.createUpDownCounter(name, options),
      createObservableUpDownCounter: (name, options) =>
        name === QUEUE_SIZE ? queueSize : noop.createObservableUpDownCounter(name, options),
      createHistogram: (name, options) => noop.createHistogram(name, options),
      createGauge: (name, options) => noop.createGauge(name, options),
      createObservableGauge: (name, options) => noop.createObservableGauge(name, options),
      createObservableCounter: (name, options) => noop.createObservableCounter(name, options),
      addBatchObservableCallback: () => undefined,
      removeBatchObservableCallback: () => undefined,
    };
  }

  /** A snapshot; the queue length is read now, from the processor itself. */
  snapshot(): SpanPipelineStats {
    let queued = 0;
    const result = { observe: (value: number) => void (queued += value) } as ObservableResult;
    for (const callback of this.queueCallbacks) void callback(result);
    return {
      exported: this.exportedCount,
      dropped: this.droppedCount,
      failed: this.failedCount,
      queued,
      capacity: this.capacity,
    };
  }

  finished(count: number, error?: { name: string }): void {
    if (error === undefined) this.exportedCount += count;
    else this.failedCount += count;
  }

  dropped(count: number): void {
    this.droppedCount += count;
  }

  queue(capacity: number, length: () => number): void {
    this.capacity += capacity;
    this.queueCallbacks.add((result) => result.observe(length()));
  }

  private processed(value: number, attributes: Attributes | undefined): void {
    const error = attributes?.[ERROR_TYPE];
    if (error === undefined) this.exportedCount += value;
    else if (error === 'queue_full') this.droppedCount += value;
    else this.failedCount += value;
  }
}
