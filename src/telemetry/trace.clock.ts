import { trace, type Context, type HrTime } from '@opentelemetry/api';
import { hrTimeToMilliseconds, millisToHrTime } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * The SDK span's fields this clock reads and sets: its start (read-only in the public type) and
 * the monotonic reading its end is measured from (trace.clock.spec.ts fails if it goes).
 */
export type ClockedSpan = { startTime: HrTime; _performanceStartTime: number };

/**
 * One clock per local trace, so a child span starts and ends inside its parent. The SDK (3.x)
 * starts every span at `Date.now()`, whole milliseconds, and measures its duration with the
 * monotonic clock from there: two spans of one request each carry their own 0–1 ms error, and
 * a database query that ended before the response was written could be drawn ending after the
 * request's span (a CI run of the tracez page saw it: server span 99.46 % of its own trace).
 * The 1.x SDK shared an anchored clock per trace for this reason (opentelemetry-js#3134); this
 * processor brings that back: a local root keeps the SDK's start and fixes the trace's offset
 * from the monotonic clock, and every span below it starts at that offset plus the monotonic
 * now. Its end follows, since the SDK adds the measured duration to `startTime` when it ends.
 *
 * Must come first among the span processors: the others read `startTime` after it is set.
 */
export class TraceClock implements SpanProcessor {
  /** Wall-clock ms minus monotonic ms, per recording span, inherited by its local children. */
  private readonly offsets = new WeakMap<object, number>();

  onStart(span: Span, parentContext: Context): void {
    const clocked = span as unknown as ClockedSpan;
    // The SDK's own reading, not a fresh one: the end is measured from it, so a child offset by
    // the same amount as its root ends exactly where the monotonic clock says.
    const now = clocked._performanceStartTime;
    const parent = trace.getSpan(parentContext);
    const inherited = parent === undefined ? undefined : this.offsets.get(parent);
    const sdkStart = hrTimeToMilliseconds(span.startTime);
    // A start more than the SDK's rounding away from now was given by the caller: keep it.
    const given = Math.abs(Date.now() - sdkStart) > 1;
    if (inherited === undefined || given) {
      this.offsets.set(span, sdkStart - now);
      return;
    }
    this.offsets.set(span, inherited);
    clocked.startTime = millisToHrTime(inherited + now);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
