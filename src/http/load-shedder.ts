import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Watches event-loop delay and says when to shed: the Node form of "a slow request never
 * delays another". When the loop lags past EVENT_LOOP_MAX_DELAY_MS, new requests get a fast
 * 503 + Retry-After instead of queueing behind work the process cannot finish in time.
 */
export class LoadShedder {
  private readonly histogram: ReturnType<typeof monitorEventLoopDelay>;
  private readonly timer: NodeJS.Timeout;
  private overloaded = false;
  /** The p99 loop delay of the last window, ms. */
  lastDelayMs = 0;

  constructor(
    private readonly maxDelayMs: number,
    windowMs = 500,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), windowMs);
    this.timer.unref();
  }

  get shouldShed(): boolean {
    return this.overloaded;
  }

  /** Forgets what was measured so far: start-up stalls the loop, and must not shed traffic. */
  reset(): void {
    this.histogram.reset();
    this.overloaded = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private sample(): void {
    this.lastDelayMs = this.histogram.percentile(99) / 1e6;
    this.histogram.reset();
    this.overloaded = this.maxDelayMs > 0 && this.lastDelayMs > this.maxDelayMs;
  }
}
