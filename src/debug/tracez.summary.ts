import type { HeldSpan } from '../telemetry/held-span.js';

/** zPages' latency boundaries (opencensus tracez): 0, 10 µs, 100 µs, … 100 s, in ms. */
export const LATENCY_BOUNDS_MS = [0.01, 0.1, 1, 10, 100, 1_000, 10_000, 100_000];
export const BUCKET_LABELS = [
  '<10µs',
  '<100µs',
  '<1ms',
  '<10ms',
  '<100ms',
  '<1s',
  '<10s',
  '<100s',
  '≥100s',
];

/** One span name's row of the summary table. */
export interface SpanNameSummary {
  name: string;
  count: number;
  errors: number;
  /** Spans per latency bucket (LATENCY_BOUNDS_MS, then the open-ended last one). */
  buckets: number[];
  maxMs: number;
}

export type SpanView = 'recent' | 'slowest' | 'failed';

export function bucketOf(ms: number): number {
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && ms >= LATENCY_BOUNDS_MS[i]!) i++;
  return i;
}

/** The summary table: one row per span name, busiest first. */
export function summarize(spans: readonly HeldSpan[]): SpanNameSummary[] {
  const rows = new Map<string, SpanNameSummary>();
  for (const span of spans) {
    let row = rows.get(span.name);
    if (!row) {
      row = { name: span.name, count: 0, errors: 0, buckets: BUCKET_LABELS.map(() => 0), maxMs: 0 };
      rows.set(span.name, row);
    }
    const ms = span.durationMs;
    row.count++;
    row.buckets[bucketOf(ms)]!++;
    if (span.failed) row.errors++;
    if (ms > row.maxMs) row.maxMs = ms;
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/**
 * The spans one table cell stands for: a name's recent, slowest or failed spans, or one of its
 * latency buckets; every name when `name` is undefined. At most `limit`, newest or slowest first.
 */
export function select(
  spans: readonly HeldSpan[],
  filter: { name?: string; view: SpanView; bucket?: number },
  limit: number,
): HeldSpan[] {
  const chosen = spans.filter(
    (s) =>
      (filter.name === undefined || s.name === filter.name) &&
      (filter.view !== 'failed' || s.failed) &&
      (filter.bucket === undefined || bucketOf(s.durationMs) === filter.bucket),
  );
  if (filter.view === 'slowest') chosen.sort((a, b) => b.durationMs - a.durationMs);
  else chosen.reverse();
  return chosen.slice(0, limit);
}

/** One row of a trace's waterfall: the span, its depth in the tree and its place in time. */
export interface WaterfallRow {
  span: HeldSpan;
  depth: number;
  /** Offset from the trace's first start and length, as percentages of the trace's span. */
  offsetPct: number;
  widthPct: number;
  offsetMs: number;
}

/** The narrowest bar drawn, so that a span of no visible length still shows. */
const MIN_WIDTH_PCT = 0.3;

/**
 * The held spans of one trace as a tree in start order. A span whose parent is not held (the
 * caller's span in another process, or one already overwritten) is drawn as a root.
 */
export function waterfall(spans: readonly HeldSpan[], traceId: string): WaterfallRow[] {
  const own = spans.filter((s) => s.traceId === traceId);
  if (own.length === 0) return [];
  const ids = new Set(own.map((s) => s.spanId));
  const children = new Map<string | undefined, HeldSpan[]>();
  for (const span of own) {
    const parentId = span.parentSpanId;
    const key = parentId !== undefined && ids.has(parentId) ? parentId : undefined;
    const list = children.get(key) ?? [];
    list.push(span);
    children.set(key, list);
  }
  const first = Math.min(...own.map((s) => s.startMs));
  const last = Math.max(...own.map((s) => s.startMs + s.durationMs));
  const total = Math.max(last - first, 1e-3);
  const rows: WaterfallRow[] = [];
  const visit = (parent: string | undefined, depth: number): void => {
    const list = (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs);
    for (const span of list) {
      const offsetMs = span.startMs - first;
      // Inside the track: epoch milliseconds carry ~2e-4 ms of float error (a 0.6 ms trace's
      // one span came out 100.01 % wide), and a short last span's minimum width reached past it.
      const offsetPct = Math.min((offsetMs / total) * 100, 100 - MIN_WIDTH_PCT);
      rows.push({
        span,
        depth,
        offsetMs,
        offsetPct,
        widthPct: Math.min(
          Math.max((span.durationMs / total) * 100, MIN_WIDTH_PCT),
          100 - offsetPct,
        ),
      });
      visit(span.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}
