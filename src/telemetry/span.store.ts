import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Heap one held span takes beyond its attribute values, bytes: the SDK's Span object, its span
 * context, hrtime arrays and attribute map (keys are shared constants). span.store.spec.ts
 * measures the real growth against this estimate: ~1.0 KB per server span with ten attributes.
 */
const SPAN_OVERHEAD_BYTES = 1_024;

/** How full the store is, for /debug/tracez and the status page. */
export interface SpanStoreStats {
  /** Spans held now (at most `capacity`). */
  held: number;
  capacity: number;
  /** Spans recorded since start, overwritten ones included. */
  recorded: number;
  /** Estimated heap the held spans occupy: a measured overhead plus their attribute strings. */
  approxBytes: number;
}

/**
 * The last TRACEZ_MAX_SPANS ended spans of sampled requests, for the in-process trace view
 * (/debug/tracez, src/debug/). A span processor beside the OTLP exporter's, never instead of it.
 * Recording is one array write per span; everything else (grouping, sizing) is done only when
 * someone opens the page.
 */
export class SpanStore implements SpanProcessor {
  private readonly ring: Array<ReadableSpan | undefined>;
  private next = 0;
  private recorded = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<ReadableSpan | undefined>(capacity).fill(undefined);
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.ring[this.next] = span;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.recorded++;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** The held spans, oldest first. */
  spans(): ReadableSpan[] {
    const newer = this.ring.slice(0, this.next);
    const older = this.ring.slice(this.next);
    return [...older, ...newer].filter((s): s is ReadableSpan => s !== undefined);
  }

  stats(): SpanStoreStats {
    let held = 0;
    let approxBytes = 0;
    for (const span of this.ring) {
      if (span === undefined) continue;
      held++;
      approxBytes += SPAN_OVERHEAD_BYTES + span.name.length;
      for (const value of Object.values(span.attributes)) {
        if (typeof value === 'string') approxBytes += value.length;
      }
    }
    return { held, capacity: this.capacity, recorded: this.recorded, approxBytes };
  }
}
