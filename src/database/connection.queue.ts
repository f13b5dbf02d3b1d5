import { DbPoolTimeoutError } from './database.errors.js';

/** A caller waiting for a connection slot. */
export interface ConnectionWaiter {
  resolve: (acquiredAt: number) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
  enqueuedAt: number;
  /** Clock time the wait ends at; shortened once the queue stands. */
  expiresAt: number;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * The callers waiting for a slot of the ConnectionGate (connection.gate.ts), which decides how
 * long each may wait and when the queue stands. This keeps them: each wait ends at its timer
 * (DB_POOL_TIMEOUT) or its caller's abort, whichever comes first, and leaves the queue at once;
 * callers are served oldest first, or newest first while the queue stands (adaptive LIFO), and
 * the first time LIFO serves out of order every older wait is cut to the CoDel target.
 * It also keeps since when it has not been empty: the clock of a standing queue.
 * The queue is an array: removing a timed-out waiter is O(n), and n ≤ queueMax.
 */
export class ConnectionQueue {
  private readonly waiters: ConnectionWaiter[] = [];
  private since = 0;
  /** The waits of this standing period's older waiters were already cut to the target. */
  private cut = false;

  /** Callers queued right now. */
  get length(): number {
    return this.waiters.length;
  }

  /** When the queue last stopped being empty (0 while it is empty). */
  get nonEmptySince(): number {
    return this.since;
  }

  /** Whether this standing period's waits were already cut (shortenWaits()). */
  get shortened(): boolean {
    return this.cut;
  }

  /**
   * Queues a caller for at most `waitMs` (its abort ends the wait sooner); resolves with the
   * time it is handed a slot.
   */
  wait(signal: AbortSignal, now: number, waitMs: number): Promise<number> {
    // An abort listener added after the abort never fires: such a caller would sit out its wait.
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0) this.since = now;
    return new Promise((resolve, reject) => {
      const waiter: ConnectionWaiter = {
        resolve,
        reject,
        signal,
        timer: setTimeout(() => this.leave(waiter, new DbPoolTimeoutError(waitMs)), waitMs),
        enqueuedAt: now,
        expiresAt: now + waitMs,
        onAbort: () => this.leave(waiter, signal.reason),
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * The waiter to serve next (newest first while the queue stands), out of the queue. A wait
   * whose time is up although its timer has not fired (the thread was busy, as PGlite keeps it
   * through a statement) is refused as its timer would have, not served late.
   */
  next(now: number, lifo: boolean): ConnectionWaiter | undefined {
    let next = lifo ? this.waiters.pop() : this.waiters.shift();
    while (next !== undefined && next.expiresAt <= now) {
      this.detach(next);
      next.reject(new DbPoolTimeoutError(Math.round(now - next.enqueuedAt)));
      next = lifo ? this.waiters.pop() : this.waiters.shift();
    }
    if (next) this.detach(next);
    return next;
  }

  /** Fails every waiter with `error`. */
  rejectAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      this.detach(waiter);
      waiter.reject(error);
    }
  }

  /**
   * The queue just turned out to be standing: waiters that arrived before it did still have
   * long waits, and LIFO now serves them last. Cut every wait to the CoDel target, so they hear
   * 503 within it instead of at their deadline — the drop CoDel applies to a standing queue.
   */
  shortenWaits(now: number, targetMs: number): void {
    this.cut = true;
    for (const waiter of this.waiters) {
      if (waiter.expiresAt - now <= targetMs) continue;
      clearTimeout(waiter.timer);
      waiter.expiresAt = now + targetMs;
      const total = Math.round(now - waiter.enqueuedAt + targetMs);
      waiter.timer = setTimeout(() => this.leave(waiter, new DbPoolTimeoutError(total)), targetMs);
    }
  }

  private leave(waiter: ConnectionWaiter, reason: unknown): void {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return;
    this.waiters.splice(index, 1);
    this.detach(waiter);
    waiter.reject(reason);
  }

  private detach(waiter: ConnectionWaiter): void {
    clearTimeout(waiter.timer);
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    if (this.waiters.length === 0) {
      this.since = 0;
      this.cut = false;
    }
  }
}
