import type { GateOptions } from './connection.gate-options.js';
import type { HoldTimes } from './connection.hold-times.js';
import type { ConnectionQueue } from './connection.queue.js';
import type { PoolWarmth } from './pool.warmth.js';

// While the queue stands, a newcomer is served first (LIFO) and waits about until a slot frees:
// within one hold, two with margin. "Fail at Scale"'s 5 ms is the floor; DB_POOL_QUEUE_TARGET_MS
// (50 ms by default) the cap, for holds of tens of ms (a hot-row update waits for its lock and a
// WAL flush), where 5 ms would refuse callers one hold from service. A fixed 50 ms let an
// uncached item read (holds of a few ms) wait ten holds before its 503: in four pairs of the
// overload bench at 3x saturation those 503s came at a settled p99 of 14-32 ms against 20-80 ms;
// admitted latency and goodput moved within the machine's spread (docs/performance.md).
const MIN_STANDING_TARGET_MS = 5;
const HOLDS_PER_TARGET = 2;

/**
 * Whether the ConnectionGate's queue stands (connection.gate.ts), and how long a caller may then
 * wait (targetMs). It stands once it has not emptied for a CoDel interval, so LIFO and short
 * waits apply. Not while the pool is cold (half or more of the holders opening connections:
 * pool.warmth.ts), nor for an interval after: a burst after the pool closed its idle connections
 * (or at start, or after a restart) waits behind connection set-up, which says nothing about the
 * rate queries are served at. Counted as standing, 20-32 of 50 such requests were refused in
 * ~145 ms with the pool about to serve them. One connection reopened under load (a cancelled
 * query's, one past its lifetime) leaves the pool warm: CoDel must keep working in an overload.
 */
export class StandingQueueCheck {
  /** The CoDel interval (DB_POOL_QUEUE_INTERVAL_MS). */
  private readonly intervalMs: number;
  /** The cap on the CoDel target (DB_POOL_QUEUE_TARGET_MS). */
  private readonly targetCapMs: number;

  constructor(
    private readonly queue: ConnectionQueue,
    private readonly warmth: PoolWarmth,
    private readonly holds: HoldTimes,
    options: Pick<GateOptions, 'intervalMs' | 'targetMs'>,
    private readonly now: () => number,
  ) {
    this.intervalMs = options.intervalMs;
    this.targetCapMs = options.targetMs;
  }

  get standing(): boolean {
    if (this.queue.length === 0 || this.warmth.cold) return false;
    const since = Math.max(this.queue.nonEmptySince, this.warmth.warmSince);
    return this.now() - since >= this.intervalMs;
  }

  /**
   * The CoDel target: the longest wait while the queue stands, HOLDS_PER_TARGET holds as long as
   * they take now (connection.hold-times.ts), within MIN_STANDING_TARGET_MS and
   * DB_POOL_QUEUE_TARGET_MS (the cap wins when it is the lower).
   */
  targetMs(now: number): number {
    const holds = HOLDS_PER_TARGET * this.holds.currentMs(now);
    return Math.min(this.targetCapMs, Math.max(MIN_STANDING_TARGET_MS, holds));
  }
}
