import { performance } from 'node:perf_hooks';
import { startDeadlineTimer } from './deadline.timer.js';

/** One deadline waiting in a DeadlineQueue: a link in its list. */
export class QueuedDeadline {
  prev: QueuedDeadline | undefined = undefined;
  next: QueuedDeadline | undefined = undefined;
  queued = true;

  constructor(
    readonly dueAt: number,
    readonly onDue: () => void,
  ) {}
}

export type DeadlineHandle = QueuedDeadline | NodeJS.Timeout;

/**
 * The requests' deadline timers. Nearly every request has the same one (REQUEST_TIMEOUT_MS from
 * its arrival), so those deadlines fall due in the order they were set: they wait in one list,
 * appended and unlinked, behind one timer armed for the oldest. A `setTimeout` a request made a
 * timer object, a rest-arguments array and a list insert and removal in Node's timers module
 * (~900 instructions a request under callgrind; deadline.queue.bench.ts for the ns). Any other
 * duration (a client's lower `x-request-timeout`, the rest of a deadline after a wait in the
 * admission queue) would break the order and gets its own timer (deadline.timer.ts).
 *
 * Due times are read from the monotonic clock: a wall clock set back would hold every deadline.
 * The timer may fire early (armed for an oldest that has since left, or from the event loop's
 * cached time); it then re-arms for the oldest left.
 */
export class DeadlineQueue {
  private head: QueuedDeadline | undefined = undefined;
  private tail: QueuedDeadline | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly durationMs: number,
    private readonly clock: { now(): number } = performance,
  ) {}

  /** Calls `onDue` once `ms` have passed, unless cancelled first. */
  start(ms: number, onDue: () => void): DeadlineHandle {
    if (ms !== this.durationMs) return startDeadlineTimer(onDue, ms);
    const entry = new QueuedDeadline(this.clock.now() + ms, onDue);
    if (this.tail === undefined) this.head = entry;
    else {
      this.tail.next = entry;
      entry.prev = this.tail;
    }
    this.tail = entry;
    if (this.timer === undefined) this.arm(ms);
    return entry;
  }

  cancel(handle: DeadlineHandle): void {
    if (handle instanceof QueuedDeadline) this.unlink(handle);
    else clearTimeout(handle);
  }

  /** Deadlines waiting (tests). */
  get size(): number {
    let count = 0;
    for (let at = this.head; at !== undefined; at = at.next) count++;
    return count;
  }

  private unlink(entry: QueuedDeadline): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.prev === undefined) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = undefined;
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    while (this.head !== undefined && this.head.dueAt <= now) {
      const due = this.head;
      this.unlink(due);
      due.onDue();
    }
    if (this.head !== undefined) this.arm(this.head.dueAt - now);
  };

  /** Unreferenced, as every request's own timer was: an open request holds its socket anyway. */
  private arm(ms: number): void {
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(ms))).unref();
  }
}
