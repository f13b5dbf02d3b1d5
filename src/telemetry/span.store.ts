import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { HeldSpan } from './held-span.js';

/**
 * Heap one held span takes beyond its name and attribute values, bytes: its HeldSpan record
 * (held-span.ts) and the attribute map (keys are shared constants). span.store.spec.ts measures
 * the real growth against this estimate: ~0.5 KB per server span with its dozen attributes,
 * where the SDK's whole span took ~1.1 KB.
 */
const SPAN_OVERHEAD_BYTES = 368;

/** How full the store is, for /debug/tracez and the status page. */
export interface SpanStoreStats {
  /** Spans held now (at most `capacity`). */
  held: number;
  capacity: number;
  /** Spans recorded since start, overwritten ones included (not the ones load left out). */
  recorded: number;
  /** Estimated heap the held spans occupy: a measured overhead plus their attribute strings. */
  approxBytes: number;
  /** Share of sampled traces kept this second: below 1 past `perSecond` spans a second. */
  keptShare: number;
}

/** Trace ids are told apart by their last four hex digits: 65,536 keys. */
const TRACE_KEYS = 0x10000;
const SECOND_MS = 1_000;

/**
 * A trace id's key: its last four hex digits as 0–65,535, read in place. Every span a loaded
 * second offers is keyed; `Number.parseInt(id.slice(-4), 16)` made a string and called into V8's
 * runtime for each: 0.5 % of a 100 %-sampled server's samples under wrk (perf), none after;
 * 54–84 → 21–27 ns a key in span.store.bench.ts.
 */
export function traceKey(traceId: string): number {
  let key = 0;
  for (let i = traceId.length - 4; i < traceId.length; i++) {
    // 0x20 lower-cases a letter and leaves a digit as it is; trace ids are hex (W3C).
    const code = traceId.charCodeAt(i) | 0x20;
    key = (key << 4) | (code <= 0x39 ? code - 0x30 : code - 0x57);
  }
  return key;
}

/**
 * The last TRACEZ_MAX_SPANS ended spans of sampled requests, for the in-process trace view
 * (/debug/tracez, src/debug/). A span processor beside the OTLP exporter's, never instead of it.
 * Recording is one array write per span; everything else (grouping, sizing) is done only when
 * someone opens the page.
 *
 * Under load it keeps whole traces, at most `perSecond` spans a second (a quarter of the ring
 * by default, so the ring covers at least the last four seconds): each second's rate sets the
 * share of trace ids kept in the next (by the id's last hex digits, so a kept trace keeps every
 * span that ends in the same second). Kept, every sampled span outlived its export by the time
 * the ring took to come round (0.3 s at 14,000 spans a second), long enough to be promoted to
 * V8's old generation: with an OTLP exporter at 100 % sampling the store cost 3.4-5.5 us of CPU
 * per request (wrk, server pinned, three interleaved pairs), a twentieth of the request. Hence
 * the bound per second, and a kept span is a HeldSpan record rather than the SDK's span.
 */
export class SpanStore implements SpanProcessor {
  private readonly ring: Array<HeldSpan | undefined>;
  private next = 0;
  private recorded = 0;
  private windowStart = 0;
  private offered = 0;
  private keepBelow = TRACE_KEYS;

  constructor(
    readonly capacity: number,
    private readonly perSecond = Math.max(1, Math.floor(capacity / 4)),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ring = new Array<HeldSpan | undefined>(capacity).fill(undefined);
  }

  /** Share of traces kept this second (1 below `perSecond` spans a second, and once idle). */
  get keptShare(): number {
    // No span for a whole second after the window: the next one starts by keeping all.
    if (this.now() - this.windowStart >= 2 * SECOND_MS) return 1;
    return this.keepBelow / TRACE_KEYS;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const now = this.now();
    if (now - this.windowStart >= SECOND_MS) this.nextWindow(now);
    this.offered++;
    if (this.keepBelow < TRACE_KEYS && traceKey(span.spanContext().traceId) >= this.keepBelow)
      return;
    this.ring[this.next] = new HeldSpan(span);
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.recorded++;
  }

  /** Sets the share of trace ids the next second keeps from the rate of the one that ended. */
  private nextWindow(now: number): void {
    const rate = (this.offered * SECOND_MS) / (now - this.windowStart);
    this.keepBelow =
      rate <= this.perSecond ? TRACE_KEYS : Math.floor((TRACE_KEYS * this.perSecond) / rate);
    this.windowStart = now;
    this.offered = 0;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** The held spans, oldest first. */
  spans(): HeldSpan[] {
    const newer = this.ring.slice(0, this.next);
    const older = this.ring.slice(this.next);
    return [...older, ...newer].filter((s): s is HeldSpan => s !== undefined);
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
    return {
      held,
      capacity: this.capacity,
      recorded: this.recorded,
      approxBytes,
      keptShare: this.keptShare,
    };
  }
}
