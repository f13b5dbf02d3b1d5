import { ConnectionQueue } from './connection.queue.js';
import { DbPoolSaturatedError, DbQueueFullError } from './database.errors.js';
import { PoolWarmth } from './pool.warmth.js';

export interface GateOptions {
  /** Holders at once (DB_POOL_MAX; 1 for PGlite). */
  max: number;
  /** Waiters at once (DB_POOL_QUEUE_MAX); one more is refused with DB_QUEUE_FULL. */
  queueMax: number;
  /** CoDel interval: a queue that has not emptied for this long is a standing queue. */
  intervalMs: number;
  /** CoDel target: the longest wait for callers that arrive while the queue stands. */
  targetMs: number;
  /** Clock in epoch ms (the unit of request deadlines); injectable for specs. */
  now?: () => number;
}

export interface AcquireOptions {
  signal: AbortSignal;
  /** The cap on any wait (DB_POOL_ACQUIRE_TIMEOUT_MS). */
  timeoutMs: number;
  /** Epoch ms at which the caller's request fails anyway; absent = only the cap bounds it. */
  deadline?: number;
}

// Weight of the newest hold in the moving average: ~the last ten holds dominate.
const HOLD_EWMA_WEIGHT = 0.2;

/**
 * Admits at most `max` holders; later callers queue. It sits in front of the `pg` pool so the
 * pool itself never queues: a busy pool (DB_POOL_*) and a server that cannot be reached
 * (DB_UNAVAILABLE) stay distinct answers, and an aborted request leaves the queue at once.
 *
 * How long a caller may wait, and in which order callers are served, follows Facebook's
 * "Fail at Scale" (Maurer, ACM Queue 13(8), 2015), which pairs two ideas:
 * - Controlled delay (CoDel, Nichols & Jacobson 2012): a queue that has not been empty for an
 *   interval is a standing queue — arrivals outpace service, and waiting longer only adds
 *   latency. Callers arriving then may wait `targetMs`, not the full cap, so the excess is
 *   refused in milliseconds instead of aging in line.
 * - Adaptive LIFO: normally FIFO (fair); while the queue stands, the newest waiter is served
 *   first. The oldest waiters are the ones whose deadlines are nearest — in FIFO every
 *   request is served just before its client gives up; in LIFO the fresh ones finish in time
 *   and the old ones time out, which they would have done anyway. When LIFO first serves out
 *   of order, the older waiters' waits are cut to the target too, so they hear so promptly.
 * Two checks the paper leaves to the server are added here, because each caller carries its
 * request's deadline: the wait is bounded by the time left (minus a typical hold, the time
 * the query itself needs), and a caller whose time left is below the estimated wait is
 * refused at once (DB_POOL_SATURATED) rather than after waiting for nothing.
 * The waiters themselves, their order and their timers are connection.queue.ts's.
 */
export class ConnectionGate {
  readonly max: number;
  private active = 0;
  private readonly queue: ConnectionQueue;
  private readonly now: () => number;
  private holdMs = 0;
  private lastAcquireAt = 0;
  /** A standing queue is counted from when the pool last stopped being cold. */
  private readonly warmth: PoolWarmth;
  /** Holders allowed now: `max`, or fewer while the server has no connection slot to spare. */
  private ceiling: number;
  private ceilingTimer?: NodeJS.Timeout;

  constructor(private readonly options: GateOptions) {
    this.max = options.max;
    this.ceiling = options.max;
    this.now = options.now ?? Date.now;
    this.queue = new ConnectionQueue(options.targetMs);
    this.warmth = new PoolWarmth(options.max, this.now);
  }

  /** Holders allowed now (below `max` only while limitTo() holds). */
  get capacity(): number {
    return this.ceiling;
  }

  /**
   * The server refused a new connection for want of a slot (SQLSTATE 53300) while the pool has
   * `open` connections: for `forMs`, only that many hold at once, and callers beyond them wait
   * for one of those connections instead of failing on a connect that would be refused again.
   * A holder released above the ceiling hands its slot to nobody. Then `max` again: the next
   * connect tries the server once more.
   * @returns false when there is no connection to wait for (open < 1): the caller fails
   */
  limitTo(open: number, forMs: number): boolean {
    if (open < 1) return false;
    this.ceiling = Math.min(this.ceiling, open);
    clearTimeout(this.ceilingTimer);
    this.ceilingTimer = setTimeout(() => this.lift(), forMs).unref();
    return true;
  }

  /** Back to `max`: queued callers take the slots freed, in the order release() serves. */
  private lift(): void {
    this.ceiling = this.max;
    this.ceilingTimer = undefined;
    const now = this.now();
    const lifo = this.standing;
    while (this.active < this.ceiling) {
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
    return this.holdMs;
  }

  /**
   * True while the queue has not emptied for a CoDel interval: LIFO and short waits apply. Not
   * while the pool is cold (half or more of the holders opening connections), nor for an
   * interval after: a burst after the pool closed its idle connections (or at start, or after a
   * restart) waits behind connection set-up, which says nothing about the rate queries are
   * served at. Counted as standing, 20-32 of 50 such requests were refused in ~145 ms with the
   * pool about to serve them. One connection reopened under load (a cancelled query's, one past
   * its lifetime) leaves the pool warm: CoDel must keep working in an overload.
   */
  get standing(): boolean {
    if (this.queue.length === 0 || this.warmth.cold) return false;
    const since = Math.max(this.queue.nonEmptySince, this.warmth.warmSince);
    return this.now() - since >= this.options.intervalMs;
  }

  /**
   * A holder starts opening a connection.
   * @returns call it once the connection is open, or failed to open
   */
  openingConnection(): () => void {
    return this.warmth.openingConnection();
  }

  /**
   * Estimated wait for a caller joining the queue now. With every slot held, the next release
   * is at least one average hold per slot away — and at least as far off as the pool has
   * already gone without handing a slot over (holders that have all been stuck for a second
   * say more about the next second than an average of millisecond holds). In FIFO order each
   * waiter ahead adds one average hold per slot; while the queue stands (LIFO) a newcomer is
   * next in line, and the waiters below it do not delay it.
   */
  estimatedWaitMs(): number {
    if (this.active < this.ceiling && this.queue.length === 0) return 0;
    const perRelease = this.holdMs / this.ceiling;
    const sinceHandover = this.now() - this.lastAcquireAt;
    const ahead = this.standing ? 0 : this.queue.length;
    return Math.max(perRelease, sinceHandover) + ahead * perRelease;
  }

  /**
   * Resolves with the acquisition time once a slot is held; pass it to release(). Refuses at
   * once when the queue is full or the deadline cannot be met; otherwise waits at most
   * min(cap, time left − a typical hold, CoDel target while the queue stands).
   */
  acquire({ signal, timeoutMs, deadline }: AcquireOptions): Promise<number> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const now = this.now();
    if (this.active < this.ceiling && this.queue.length === 0) {
      return Promise.resolve(this.take(now));
    }
    if (this.queue.length >= this.options.queueMax) {
      return Promise.reject(new DbQueueFullError(this.options.queueMax));
    }
    let waitMs = this.standing ? Math.min(timeoutMs, this.options.targetMs) : timeoutMs;
    if (deadline !== undefined) {
      const remaining = deadline - now;
      const estimated = this.estimatedWaitMs();
      if (remaining - this.holdMs <= estimated) {
        return Promise.reject(new DbPoolSaturatedError(remaining, estimated + this.holdMs));
      }
      waitMs = Math.min(waitMs, remaining - this.holdMs);
    }
    waitMs = Math.max(1, Math.floor(waitMs));
    return this.queue.wait(signal, now, waitMs);
  }

  /** Gives back the slot taken at `acquiredAt`: to the next waiter (FIFO, LIFO while standing). */
  release(acquiredAt: number): void {
    const now = this.now();
    this.holdMs += HOLD_EWMA_WEIGHT * (now - acquiredAt - this.holdMs);
    this.handOver(now);
  }

  /** A slot was given back: to the next waiter, or to nobody above the ceiling. */
  private handOver(now: number): void {
    if (this.active > this.ceiling) {
      this.active--;
      return;
    }
    const lifo = this.standing;
    if (lifo && !this.queue.shortened) this.queue.shortenWaits(now);
    const next = this.queue.next(now, lifo);
    if (!next) {
      this.active--;
      return;
    }
    this.lastAcquireAt = now;
    next.resolve(now);
  }

  /** Fails every waiter with `error` (the breaker opened: none of them will be served in time). */
  rejectAll(error: unknown): void {
    this.queue.rejectAll(error);
  }

  private take(now: number): number {
    this.active++;
    this.lastAcquireAt = now;
    return now;
  }
}
