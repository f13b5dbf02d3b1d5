import type { ConnectionQueue } from './connection.queue.js';
import type { PoolWarmth } from './pool.warmth.js';

/**
 * Whether the ConnectionGate's queue stands (connection.gate.ts): it has not emptied for a CoDel
 * interval, so LIFO and short waits apply. Not while the pool is cold (half or more of the
 * holders opening connections: pool.warmth.ts), nor for an interval after: a burst after the
 * pool closed its idle connections (or at start, or after a restart) waits behind connection
 * set-up, which says nothing about the rate queries are served at. Counted as standing, 20-32
 * of 50 such requests were refused in ~145 ms with the pool about to serve them. One connection
 * reopened under load (a cancelled query's, one past its lifetime) leaves the pool warm: CoDel
 * must keep working in an overload.
 */
export class StandingQueueCheck {
  constructor(
    private readonly queue: ConnectionQueue,
    private readonly warmth: PoolWarmth,
    /** The CoDel interval (DB_POOL_QUEUE_INTERVAL_MS). */
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  get standing(): boolean {
    if (this.queue.length === 0 || this.warmth.cold) return false;
    const since = Math.max(this.queue.nonEmptySince, this.warmth.warmSince);
    return this.now() - since >= this.intervalMs;
  }
}
