import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** How the event loop did over one window. */
export interface LoopWindow {
  /** Share of the window the loop was busy, 0..1 (perf_hooks eventLoopUtilization). */
  utilization: number;
  /** Mean lateness of a timer, ms: how long a callback that became ready waited for its turn. */
  delayMeanMs: number;
  /** Worst lateness seen in the window, ms. */
  delayMaxMs: number;
}

// A 20 ms probe timer: 50 wake-ups a second (unmeasurable CPU), fine enough to see a loop turn
// of a few tens of ms. Node's monitorEventLoopDelay was tried first: its histogram reports the
// timer resolution as the floor and missed a 200 ms block entirely in a window of 100 ms.
const PROBE_INTERVAL_MS = 20;

/**
 * Measures the two loop signals admission uses: utilization (how close to saturation the one
 * thread is, before any delay shows) and delay (how long ready work is already waiting, which
 * request latency measured from onRequest cannot see: a request's bytes wait in the socket for
 * the loop to come round before Fastify knows the request exists). Windows are cut by the owner.
 */
export class EventLoopMonitor {
  private timer?: NodeJS.Timeout;
  private expected = 0;
  private lateSum = 0;
  private lateMax = 0;
  private lateCount = 0;
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();

  start(): void {
    this.stop();
    this.reset();
    const tick = (): void => {
      const now = performance.now();
      const late = Math.max(0, now - this.expected);
      this.lateSum += late;
      this.lateCount++;
      if (late > this.lateMax) this.lateMax = late;
      this.expected = now + PROBE_INTERVAL_MS;
      this.timer = setTimeout(tick, PROBE_INTERVAL_MS);
      this.timer.unref();
    };
    this.expected = performance.now() + PROBE_INTERVAL_MS;
    this.timer = setTimeout(tick, PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Forgets what was measured so far (start-up stalls the loop and must not count). */
  reset(): void {
    this.lateSum = this.lateMax = this.lateCount = 0;
    this.lastUtilization = performance.eventLoopUtilization();
  }

  /** The window since the previous call. A probe still overdue counts with its lateness so far. */
  take(): LoopWindow {
    const now = performance.now();
    const overdue = this.timer ? Math.max(0, now - this.expected) : 0;
    const count = this.lateCount + (overdue > 0 ? 1 : 0);
    const window: LoopWindow = {
      utilization: performance.eventLoopUtilization(
        performance.eventLoopUtilization(),
        this.lastUtilization,
      ).utilization,
      delayMeanMs: count === 0 ? 0 : (this.lateSum + overdue) / count,
      delayMaxMs: Math.max(this.lateMax, overdue),
    };
    this.reset();
    return window;
  }
}
