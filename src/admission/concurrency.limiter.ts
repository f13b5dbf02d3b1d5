/** Bounds and starting point of a {@link ConcurrencyLimiter}. */
export interface LimiterBounds {
  minLimit: number;
  maxLimit: number;
  initialLimit: number;
}

/** What one window of completed requests looked like. */
export interface LimiterWindow {
  /** Median latency of the window's finished requests, ms. */
  latencyMs: number;
  /** The most requests in flight at once during the window. */
  maxInFlight: number;
  /** The event loop was busy nearly all the window (utilization ≥ 0.95): CPU is the bottleneck. */
  cpuSaturated?: boolean;
}

/** The outcome of one update, for metrics and the limit-change log. */
export interface LimiterUpdate {
  previous: number;
  limit: number;
  gradient: number;
  baselineMs: number;
}

// Netflix concurrency-limits Gradient2Limit defaults: latency may reach 1.5x the long-term
// baseline before the limit shrinks; the baseline is an average over 600 windows (a minute at
// admission.gate.ts's 100 ms windows) and falls fast when latency drops below half of it.
const TOLERANCE = 1.5;
const BASELINE_WINDOWS = 600;
const WARMUP_WINDOWS = 10;
// Gradient2 never cuts by more than half per update (an outlier window must not collapse the
// limit). Growth is capped at 2x, as in Envoy's adaptive-concurrency gradient controller, so a
// pod whose requests mostly wait (upstream calls, `/hello?delay`) reaches a high limit in seconds.
const MIN_GRADIENT = 0.5;
const MAX_GRADIENT = 2;
// Gradient2 smooths every change by 0.2. Here only increases are: a queue grows faster than it
// drains, so a cut applies at once (still at most half per window, MIN_GRADIENT): from 100 the
// limit reaches 10 in ~4 windows instead of ~12.
const SMOOTHING_UP = 0.2;
const SMOOTHING_DOWN = 1;

/**
 * An adaptive concurrency limit in the manner of Netflix's Gradient2: compare each window's
 * latency with a long-term baseline; while latency stays within TOLERANCE of it the limit grows
 * (plus a sqrt(limit) headroom, Gradient2's queue size), past it the limit shrinks in proportion.
 * Steady state: the limit where latency sits near 1.5x baseline, the knee of the latency curve,
 * i.e. the most concurrency the process serves without queueing. Pure and clock-free: the owner
 * (admission.gate.ts) decides what a window is.
 */
export class ConcurrencyLimiter {
  private estimate: number;
  private baseline = 0;
  private windows = 0;

  constructor(private readonly bounds: LimiterBounds) {
    this.estimate = clamp(bounds.initialLimit, bounds.minLimit, bounds.maxLimit);
  }

  /** Requests allowed in flight at once right now. */
  get limit(): number {
    return Math.floor(this.estimate);
  }

  /** The no-load latency the limiter compares against, ms (0 before the first window). */
  get baselineMs(): number {
    return this.baseline;
  }

  /** Feeds one window; returns what changed. */
  update(window: LimiterWindow): LimiterUpdate {
    const previous = this.limit;
    const latency = window.latencyMs;
    if (!(latency > 0))
      return { previous, limit: previous, gradient: 1, baselineMs: this.baseline };
    this.windows++;
    // A plain mean while warming up, then an exponential average (Gradient2's ExpAvgMeasurement).
    // Windows slower than the tolerance move it ten times slower still: a 20 s overload must not
    // teach the limiter that queueing is normal (Gradient2's known drift), while a lasting change
    // in what a request costs (a slower database) is still absorbed within minutes.
    let weight = this.windows <= WARMUP_WINDOWS ? 1 / this.windows : 2 / (BASELINE_WINDOWS + 1);
    if (this.windows > WARMUP_WINDOWS && latency > this.baseline * TOLERANCE) weight /= 10;
    this.baseline += (latency - this.baseline) * weight;
    // Gradient2: after a long overload the baseline sits far above what the process now does;
    // pull it down at once instead of waiting for the average.
    if (this.baseline / latency > 2) this.baseline *= 0.95;

    const gradient = clamp((TOLERANCE * this.baseline) / latency, MIN_GRADIENT, MAX_GRADIENT);
    const { minLimit, maxLimit, initialLimit } = this.bounds;
    // Gradient2: when fewer than half the slots were used, the latency says nothing about the
    // limit (the process is app-limited): hold it. Unlike Gradient2, a limit left below its
    // starting value by a past overload climbs back while latency is healthy, so an idle pod
    // recovers by itself instead of meeting the next burst with a limit tuned for the last one.
    const appLimited = window.maxInFlight < this.estimate / 2;
    // With the one thread busy all the window, more concurrency cannot add throughput, only
    // queueing for the CPU: the limit may hold or shrink, not grow.
    const mayGrow = !window.cpuSaturated;
    const recovering = this.estimate < initialLimit && gradient >= 1;
    if (this.windows > WARMUP_WINDOWS && (!appLimited || recovering)) {
      const target = this.estimate * gradient + Math.sqrt(this.estimate);
      const smoothing = target < this.estimate ? SMOOTHING_DOWN : SMOOTHING_UP;
      // Recovering unsmoothed (up to 2x per window): nothing is queueing, so there is nothing
      // to be careful about, and the next burst should meet a limit tuned for normal times.
      let next = appLimited
        ? Math.min(target, initialLimit)
        : this.estimate * (1 - smoothing) + target * smoothing;
      if (!mayGrow) next = Math.min(next, this.estimate);
      this.estimate = clamp(next, minLimit, maxLimit);
    }
    return { previous, limit: this.limit, gradient, baselineMs: this.baseline };
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
