import { trace, type Context, type HrTime } from '@opentelemetry/api';
import { hrTimeToMilliseconds, millisToHrTime } from '@opentelemetry/core';
import { NoopSpanProcessor, type Span } from '@opentelemetry/sdk-trace';

/**
 * The SDK span's fields this clock reads and sets: its start (read-only in the public type), the
 * monotonic reading its end is measured from, and whether the caller gave the start
 * (trace.clock.spec.ts fails if any of them goes).
 */
export type ClockedSpan = {
  startTime: HrTime;
  _performanceStartTime: number;
  _startTimeProvided: boolean;
};

/**
 * One clock per local trace, so a child span starts and ends inside its parent. The SDK (3.x)
 * starts every span at `Date.now()`, whole milliseconds, and measures its duration with the
 * monotonic clock from there: two spans of one request each carry their own 0–1 ms error, and
 * a database query that ended before the response was written could be drawn ending after the
 * request's span (a CI run of the tracez page saw it: server span 99.46 % of its own trace).
 * The 1.x SDK shared an anchored clock per trace for this reason (opentelemetry-js#3134); this
 * processor brings that back. A local root keeps the SDK's start; a span with a local parent
 * starts at the parent's start plus the monotonic time between the two, so it inherits the
 * root's anchor, and its end follows, since the SDK adds the measured duration to `startTime`.
 * Nothing is stored: the parent's own fields hold its anchor.
 *
 * Must come first among the span processors: the others may read `startTime`.
 */
export class TraceClock extends NoopSpanProcessor {
  override onStart(span: Span, parentContext: Context): void {
    const child = span as unknown as ClockedSpan;
    if (child._startTimeProvided) return;
    const parent = trace.getSpan(parentContext) as Partial<ClockedSpan> | undefined;
    // A remote or non-recording parent has no clock here; one whose start the caller gave has
    // no anchor to share (its start is not its monotonic reading's wall time).
    if (parent?._performanceStartTime === undefined || parent.startTime === undefined) return;
    if (parent._startTimeProvided) return;
    child.startTime = millisToHrTime(
      hrTimeToMilliseconds(parent.startTime) +
        (child._performanceStartTime - parent._performanceStartTime),
    );
  }
}
