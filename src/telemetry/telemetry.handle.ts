import type { ServerSpanStarter } from './server-span.starter.js';
import type { SpanStore } from './span.store.js';

/** Counts kept by the span pipeline, read by the Prometheus collector (telemetry.metrics.ts). */
export interface SpanPipelineStats {
  /** Spans handed to the exporter and accepted by the receiver. */
  exported: number;
  /** Spans lost because the batch queue (OTEL_BSP_MAX_QUEUE_SIZE) was full. */
  dropped: number;
  /** Spans in batches the exporter could not deliver (receiver down, timeout). */
  failed: number;
  /** Spans waiting in the queue right now. */
  queued: number;
  /** Queue capacity (OTEL_BSP_MAX_QUEUE_SIZE). */
  capacity: number;
}

/**
 * What the telemetry bootstrap (preloaded with `node --import`, outside Nest) leaves for the
 * Nest side: a way to flush at shutdown and the pipeline's counters. Reached through a global
 * symbol so that nothing imports the bootstrap itself.
 */
export interface TelemetryHandle {
  /** Exports buffered spans and stops the SDK. */
  shutdown(): Promise<void>;
  /** Span pipeline counters since start (all zero when no exporter is configured). */
  spanStats(): SpanPipelineStats;
  /** The recent spans kept for /debug/tracez; undefined when TRACEZ_ENABLED=false. */
  readonly spanStore?: SpanStore;
  /** Starts a request's SERVER span (server-span.hooks.ts). */
  readonly serverSpans?: ServerSpanStarter;
  /** OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: where server-span.hooks.ts cuts a client's text. */
  readonly attributeValueLengthLimit: number;
  /**
   * For each registered instrumentation, by library name, whether the library the service
   * loaded is patched right now (checked on every call; cheap property reads).
   */
  instrumentationsPatched(): Record<string, boolean>;
}

export const TELEMETRY_HANDLE = Symbol.for('rampart.telemetry');

export function telemetryHandle(): TelemetryHandle | undefined {
  return (globalThis as Record<symbol, unknown>)[TELEMETRY_HANDLE] as TelemetryHandle | undefined;
}
