import { performance } from 'node:perf_hooks';
import type { AdmissionQueue, Waiter } from './admission.queue.js';

/**
 * When the admission queue's waits end: one timer for the whole queue, set for the earliest wait
 * that ends (admission.queue.ts `nextExpiry`), not one per waiter. Each waiter whose wait is over
 * is handed to `expired`, in queue order; the timer is then set for the next.
 */
export class QueueExpiry<T extends Waiter> {
  private timer?: NodeJS.Timeout;
  private at = Infinity;

  constructor(
    private readonly queue: AdmissionQueue<T>,
    private readonly expired: (waiter: T) => void,
  ) {}

  /** Sets the timer for the earliest wait that ends, unless it is set for one before it. */
  arm(now: number): void {
    const at = this.queue.nextExpiry(now);
    if (at === undefined || at >= this.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - now));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private expire(): void {
    this.timer = undefined;
    this.at = Infinity;
    const now = performance.now();
    for (const waiter of this.queue.expire(now)) this.expired(waiter);
    this.arm(now);
  }
}
