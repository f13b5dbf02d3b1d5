import { performance } from 'node:perf_hooks';
import { EventLoopMonitor, type LoopWindow } from './event-loop.monitor.js';
import { LoopLag } from './loop-lag.js';

/**
 * The event loop as admission and readiness read it, judged once a window
 * (admission.window.ts): its delay against EVENT_LOOP_MAX_DELAY_MS (loop-lag.ts: refuse new
 * requests, and call it sustained overload after two windows) and against
 * READINESS_MAX_EVENT_LOOP_DELAY_MS (since when it stayed over: event-loop.health.ts).
 */
export class LoopWatch {
  private readonly monitor = new EventLoopMonitor();
  private readonly lag: LoopLag;
  /** The window last judged, for the readiness check, the status page and logs. */
  last: LoopWindow = { utilization: 0, delayMeanMs: 0, delayMaxMs: 0 };
  /** Since when (performance.now()) every window's delay passed READINESS_MAX_EVENT_LOOP_DELAY_MS. */
  slowSince?: number;

  /**
   * @param maxDelayMs EVENT_LOOP_MAX_DELAY_MS (0: never refuse for the loop)
   * @param unreadyDelayMs READINESS_MAX_EVENT_LOOP_DELAY_MS (0: never slow for readiness)
   */
  constructor(
    maxDelayMs: number,
    private readonly unreadyDelayMs: number,
  ) {
    this.lag = new LoopLag(maxDelayMs);
  }

  /** Whether new requests are refused (SERVER_OVERLOADED): the last window lagged. */
  get lagging(): boolean {
    return this.lag.lagging;
  }

  /** Whether the lag has lasted windows running: sustained overload. */
  get sustained(): boolean {
    return this.lag.sustained;
  }

  /** Starts measuring; start-up stalls the loop and must not count. */
  start(): void {
    this.monitor.start();
  }

  stop(): void {
    this.monitor.stop();
  }

  /** Ends the window: judges it and returns it. */
  judge(): LoopWindow {
    const loop = this.monitor.take();
    this.last = loop;
    this.lag.judge(loop.delayMaxMs);
    if (this.unreadyDelayMs > 0 && loop.delayMaxMs > this.unreadyDelayMs)
      this.slowSince ??= performance.now();
    else this.slowSince = undefined;
    return loop;
  }
}
