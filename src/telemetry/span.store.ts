import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Fixed overhead of one held span beyond its attribute strings, bytes: the SDK's Span object,
 * its span context, hrtime arrays and attribute map, as measured by span.store.spec.ts (heap
 * growth over 4,096 /items-like spans, ~1.3 KB each, rounded up).
 */
const SPAN_OVERHEAD_BYTES = 1_536;

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
      for (const [key, value] of Object.entries(span.attributes)) {
        approxBytes += key.length + (typeof value === 'string' ? value.length : 8);
      }
    }
    return { held, capacity: this.capacity, recorded: this.recorded, approxBytes };
  }
}
