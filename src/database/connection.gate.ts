import { ConnectionCeiling } from './connection.ceiling.js';
import { HoldTimes } from './connection.hold-times.js';
import { ConnectionQueue } from './connection.queue.js';
import { StandingQueueCheck } from './connection.standing.js';
import type { AcquireOptions, GateOptions } from './connection.gate-options.js';
import { DbPoolSaturatedError, DbQueueFullError } from './database.errors.js';
import { PoolWarmth } from './pool.warmth.js';

export type { AcquireOptions, GateOptions } from './connection.gate-options.js';

/**
 * Admits at most `max` holders; later callers queue. It sits in front of the `pg` pool so the
 * pool itself never queues: a busy pool (DB_POOL_*) and a server that cannot be reached
 * (DB_UNAVAILABLE) stay distinct answers, and an aborted request leaves the queue at once.
 *
 * How long a caller may wait, and in which order callers are served, follows Facebook's
 * "Fail at Scale" (Maurer, ACM Queue 13(8), 2015), which pairs two ideas:
 * - Controlled delay (CoDel, Nichols & Jacobson 2012): a queue that has not been empty for an
 *   interval is a standing queue — arrivals outpace service, and waiting longer only adds
 *   latency. Callers arriving then may wait the target (two holds, 5 ms to `targetMs`), not the
 *   full cap, so the excess is refused in milliseconds instead of aging in line.
 * - Adaptive LIFO: normally FIFO (fair); while the queue stands, the newest waiter is served
 *   first. The oldest waiters are the ones whose deadlines are nearest — in FIFO every
 *   request is served just before its client gives up; in LIFO the fresh ones finish in time
 *   and the old ones time out, which they would have done anyway. When LIFO first serves out
 *   of order, the older waiters' waits are cut to the target too, so they hear so promptly.
 * Two checks the paper leaves to the server are added here, because each caller carries its
 * request's deadline: the wait is bounded by the time left (minus a typical hold, the time
 * the query itself needs), and a caller whose time left is below the estimated wait is
 * refused at once (DB_POOL_SATURATED) rather than after waiting for nothing.
 * The waiters themselves, their order and their timers are connection.queue.ts's; when the
 * queue stands, and the target then, connection.standing.ts's; the hold times the estimate reads,
 * connection.hold-times.ts's; the lower ceiling while the server has no connection slot to
 * spare, connection.ceiling.ts's.
 */
export class ConnectionGate {
  readonly max: number;
  private active = 0;
  private readonly queue: ConnectionQueue;
  private readonly now: () => number;
  private readonly holds = new HoldTimes();
  private readonly warmth: PoolWarmth;
  private readonly codel: StandingQueueCheck;
  private readonly ceiling: ConnectionCeiling;

  constructor(private readonly options: GateOptions) {
    this.max = options.max;
    this.now = options.now ?? Date.now;
    this.queue = new ConnectionQueue();
    this.warmth = new PoolWarmth(options.max, this.now);
    this.codel = new StandingQueueCheck(this.queue, this.warmth, this.holds, options, this.now);
    this.ceiling = new ConnectionCeiling(options.max, () => this.admitQueued());
  }

  /** Holders allowed now (below `max` only while limitTo() holds). */
  get capacity(): number {
    return this.ceiling.value;
  }

  /**
   * The server refused a new connection for want of a slot (SQLSTATE 53300) while the pool has
   * `open` connections: for `forMs`, only that many hold at once (connection.ceiling.ts). A
   * holder released above the ceiling hands its slot to nobody.
   * @returns false when there is no connection to wait for (open < 1): the caller fails
   */
  limitTo(open: number, forMs: number): boolean {
    return this.ceiling.limitTo(open, forMs);
  }

  /** The ceiling is back at `max`: queued callers take the slots freed, as release() serves. */
  private admitQueued(): void {
    const now = this.now();
    const lifo = this.standing;
    while (this.active < this.ceiling.value) {
      const next = this.queue.next(now, lifo);
      if (!next) return;
      next.resolve(this.take(now));
    }
  }

  /** Callers queued right now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Moving average of how long a slot is held, in ms (0 until the first release). */
  get typicalHoldMs(): number {
    return this.holds.typicalMs;
  }

  /**
   * True while the queue has not emptied for a CoDel interval, the pool warm: LIFO and short
   * waits apply (connection.standing.ts).
   */
  get standing(): boolean {
    return this.codel.standing;
  }

  /**
   * A holder starts opening a connection (a cold pool's queue is not standing).
   * @returns call it once the connection is open, or failed to open
   */
  openingConnection(): () => void {
    return this.warmth.openingConnection();
  }

  /**
   * Estimated wait for a caller joining the queue now (connection.hold-times.ts): 0 with a slot
   * free. In FIFO order every waiter is ahead of it; while the queue stands (LIFO) a newcomer is
   * next in line, and the waiters below it do not delay it.
   */
  estimatedWaitMs(): number {
    if (this.active < this.ceiling.value && this.queue.length === 0) return 0;
    const ahead = this.standing ? 0 : this.queue.length;
    return this.holds.estimatedWaitMs(this.now(), this.ceiling.value, ahead);
  }

  /**
   * Resolves with the acquisition time once a slot is held; pass it to release(). Refuses at
   * once when the queue is full or the deadline cannot be met; otherwise waits at most
   * min(cap, time left − a typical hold, CoDel target while the queue stands).
   */
  acquire({ signal, timeoutMs, deadline }: AcquireOptions): Promise<number> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const now = this.now();
    if (this.active < this.ceiling.value && this.queue.length === 0) {
      return Promise.resolve(this.take(now));
    }
    if (this.queue.length >= this.options.queueMax) {
      return Promise.reject(new DbQueueFullError(this.options.queueMax));
    }
    let waitMs = this.standing ? Math.min(timeoutMs, this.codel.targetMs(now)) : timeoutMs;
    if (deadline !== undefined) {
      const remaining = deadline - now;
      const estimated = this.estimatedWaitMs();
      const holdMs = this.holds.typicalMs;
      if (remaining - holdMs <= estimated) {
        return Promise.reject(new DbPoolSaturatedError(remaining, estimated + holdMs));
      }
      waitMs = Math.min(waitMs, remaining - holdMs);
    }
    waitMs = Math.max(1, Math.floor(waitMs));
    return this.queue.wait(signal, now, waitMs);
  }

  /** The CoDel target: the longest wait while the queue stands (connection.standing.ts). */
  standingTargetMs(now = this.now()): number {
    return this.codel.targetMs(now);
  }

  /** Gives back the slot taken at `acquiredAt`: to the next waiter (FIFO, LIFO while standing). */
  release(acquiredAt: number): void {
    const now = this.now();
    this.holds.released(acquiredAt, now);
    this.handOver(now);
  }

  /** A slot was given back: to the next waiter, or to nobody above the ceiling. */
  private handOver(now: number): void {
    if (this.active > this.ceiling.value) {
      this.active--;
      return;
    }
    const lifo = this.standing;
    if (lifo && !this.queue.shortened) this.queue.shortenWaits(now, this.codel.targetMs(now));
    const next = this.queue.next(now, lifo);
    if (!next) {
      this.active--;
      return;
    }
    this.holds.handedOver(now);
    next.resolve(now);
  }

  /** Fails every waiter with `error` (the breaker opened: none of them will be served in time). */
  rejectAll(error: unknown): void {
    this.queue.rejectAll(error);
  }

  private take(now: number): number {
    this.active++;
    this.holds.handedOver(now);
    return now;
  }
}
