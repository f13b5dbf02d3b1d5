import { DbPoolTimeoutError } from './database.errors.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * Admits at most `max` holders at once; later callers queue FIFO for at most `timeoutMs`
 * (then DB_POOL_TIMEOUT) or until their request's signal aborts. It sits in front of the `pg`
 * pool so the pool itself never queues: waiting for a connection (pool exhausted → 503
 * DB_POOL_TIMEOUT) and failing to open one (server down → DB_UNAVAILABLE) stay two distinct
 * answers, and an aborted request leaves the queue at once — pg-pool's own queue can do neither.
 */
export class ConnectionGate {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly max: number) {}

  /** Callers queued right now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Resolves once a slot is held; every resolved acquire must be paired with one release(). */
  acquire(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.active < this.max && this.queue.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        timer: setTimeout(() => this.leave(waiter, new DbPoolTimeoutError(timeoutMs)), timeoutMs),
        onAbort: () => this.leave(waiter, signal.reason),
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release(): void {
    const next = this.queue.shift();
    if (!next) {
      this.active--;
      return;
    }
    clearTimeout(next.timer);
    next.signal.removeEventListener('abort', next.onAbort);
    next.resolve();
  }

  private leave(waiter: Waiter, reason: unknown): void {
    const index = this.queue.indexOf(waiter);
    if (index === -1) return;
    this.queue.splice(index, 1);
    clearTimeout(waiter.timer);
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.reject(reason);
  }
}
