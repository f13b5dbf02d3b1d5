/** A request waiting for an admission slot. */
export interface Waiter {
  /** performance.now() when it arrived. */
  readonly arrivedAt: number;
  /** Longest it may wait, ms (the queue timeout, bounded by the request's deadline). */
  readonly maxWaitMs: number;
  /** Set by {@link AdmissionQueue.cancel} when its client left: skipped, never admitted. */
  cancelled?: boolean;
}

/** Shape and timing of an {@link AdmissionQueue}. */
export interface QueueBounds {
  /** Waiters held at once; an arrival past it is refused at once. */
  maxLength: number;
  /** The interval at which the queue's length is compared (CoDel's interval), ms. */
  standingAfterMs: number;
  /** Longest wait while the queue stands, ms. */
  standingMaxWaitMs: number;
}

/**
 * The short queue in front of the concurrency limit, after Facebook's "Fail at Scale" (ACM Queue,
 * 2015): controlled delay plus adaptive LIFO.
 * - Normally FIFO, each waiter bounded by its own maxWaitMs: a burst (many requests arriving in
 *   one loop turn, or 2,500 clients at once) waits its turn and is served instead of refused.
 * - A queue that was not empty at two interval checkpoints in a row and did not shrink between
 *   them is a standing queue, the sign of sustained overload rather than a burst (a burst's queue
 *   drains once its arrivals stop; "Fail at Scale" uses "not empty for 100 ms", which would
 *   refuse most of a burst of 2,500 that takes a second to serve). While standing, waits are cut
 *   to `standingMaxWaitMs` and slots go to the newest waiter (LIFO), the one most likely to
 *   still have a client and a deadline left; the oldest are refused. Serving in order there
 *   would give every request the whole queue's delay (the database's ConnectionGate, once a FIFO,
 *   now does the same with its own "standing" rule: not emptied for an interval). It stands
 *   until the queue has stayed empty for an interval.
 * Pure and clock-free: the caller passes `now` and arms the expiry timer (`nextExpiry`).
 */
export class AdmissionQueue<T extends Waiter> {
  // Arrival order, oldest first; a ring would save the shift() on FIFO takes, but shift() on an
  // array of a few thousand is a memmove of pointers, cheaper than the bookkeeping.
  private readonly waiters: T[] = [];
  // Waiters whose client left, still in `waiters` until a take or an expiry passes them (a
  // splice per departure would be O(n) under the overload that makes clients leave).
  private cancelledWaiting = 0;
  private checkpointAt = 0;
  private checkpointLength = 0;
  private isStanding = false;
  private emptySince: number | undefined = 0;

  constructor(private readonly bounds: QueueBounds) {}

  /** Waiters whose client is still there: the `http_server_admission_queued` gauge. */
  get length(): number {
    return this.waiters.length - this.cancelledWaiting;
  }

  /** Whether the queue is standing (sustained overload); re-judged at each interval. */
  standing(now: number): boolean {
    // A standing queue under 5 ms waits empties for a moment between arrivals; only a whole
    // interval empty ends the overload (else it would flip back to FIFO and its long waits).
    const { standingAfterMs } = this.bounds;
    if (this.emptySince !== undefined && now - this.emptySince >= standingAfterMs) {
      this.isStanding = false;
      this.checkpointLength = 0;
    }
    if (now - this.checkpointAt >= standingAfterMs) {
      const length = this.length;
      if (length > 0 && this.checkpointLength > 0 && length >= this.checkpointLength)
        this.isStanding = true;
      this.checkpointAt = now;
      this.checkpointLength = length;
    }
    return this.isStanding;
  }

  /** Queues a waiter; false when the queue is full (refuse it at once). */
  offer(waiter: T, now: number): boolean {
    this.standing(now); // keeps the interval checkpoints current under arrivals alone
    if (this.length >= this.bounds.maxLength) return false;
    this.waiters.push(waiter);
    this.emptySince = undefined;
    return true;
  }

  /** The next waiter to admit: oldest first, newest first while standing. Skips cancelled ones. */
  take(now: number): T | undefined {
    const lifo = this.standing(now);
    while (this.waiters.length > 0) {
      const waiter = lifo ? this.waiters.pop()! : this.waiters.shift()!;
      if (waiter.cancelled) {
        this.cancelledWaiting--;
        if (this.waiters.length === 0) this.emptySince = now;
        continue;
      }
      // Only departed waiters behind it: the queue is empty now, not when they are passed.
      if (this.length === 0) this.emptiedAt(now);
      return waiter;
    }
    return undefined;
  }

  /** Removes and returns the waiters whose wait is over (cancelled ones are dropped silently). */
  expire(now: number): T[] {
    const cap = this.standing(now) ? this.bounds.standingMaxWaitMs : Infinity;
    const expired: T[] = [];
    let kept = 0;
    for (const waiter of this.waiters) {
      if (waiter.cancelled) {
        this.cancelledWaiting--;
        continue;
      }
      if (now - waiter.arrivedAt >= Math.min(waiter.maxWaitMs, cap)) expired.push(waiter);
      else this.waiters[kept++] = waiter;
    }
    this.waiters.length = kept;
    if (kept === 0) this.emptySince = now;
    return expired;
  }

  /**
   * A waiter's client left: it is skipped, and no longer counts towards the length, the bound or
   * the standing judgement. The last live waiter leaving empties the queue.
   */
  cancel(waiter: T, now: number): void {
    if (waiter.cancelled) return;
    waiter.cancelled = true;
    this.cancelledWaiting++;
    if (this.length === 0) this.emptiedAt(now);
  }

  /** No live waiter is left: the departed ones go too, and the queue is empty from `now`. */
  private emptiedAt(now: number): void {
    this.waiters.length = 0;
    this.cancelledWaiting = 0;
    this.emptySince = now;
  }

  /** When the next waiter's wait ends (performance.now() scale), or undefined when empty. */
  nextExpiry(now: number): number | undefined {
    if (this.waiters.length === 0) return undefined;
    const cap = this.standing(now) ? this.bounds.standingMaxWaitMs : Infinity;
    let next = Infinity;
    for (const waiter of this.waiters) {
      if (waiter.cancelled) continue;
      const end = waiter.arrivedAt + Math.min(waiter.maxWaitMs, cap);
      if (end < next) next = end;
    }
    // The queue may turn standing (and every wait shrink) at the next checkpoint.
    return Math.min(next, this.checkpointAt + this.bounds.standingAfterMs + 1);
  }
}
