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

/**
 * Turns the span processor's self-observability instruments into plain counters that the
 * Prometheus side reads on scrape, without running an OpenTelemetry metrics SDK.
 */
export class SpanPipelineStatsRecorder implements MeterProvider {
  private exported = 0;
  private dropped = 0;
  private failed = 0;
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
    const { exported, dropped, failed, capacity } = this;
    return { exported, dropped, failed, queued, capacity };
  }

  private processed(value: number, attributes: Attributes | undefined): void {
    const error = attributes?.[ERROR_TYPE];
    if (error === undefined) this.exported += value;
    else if (error === 'queue_full') this.dropped += value;
    else this.failed += value;
  }
}
