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

// Gradient2's tolerance is 1.5x a long-term average. Here 2x a long-term *minimum* (Vegas and
// BBR keep the minimum RTT): at half capacity on a quiet machine the median of a 100 ms window
// still varies by 1.5x from GC, timer and scheduler noise, and 1.5x of an average refused 10-39 %
// of requests at 0.5-1x load in the overload bench. The baseline is the lowest window median of
// the last minute (60 buckets of 10 windows of admission.window.ts's 100 ms), so an overload never
// teaches the limiter that queueing is normal (Gradient2's known drift), and a lasting change in
// what a request costs (a slower database) is absorbed within a minute.
const TOLERANCE = 2;
// ...and never less than the baseline plus 3 ms. A baseline of 0.1-0.3 ms (an uncached item
// read on an idle pod) doubles as soon as two requests meet in the loop: at half of saturation
// the window median sat at 1.3 ms, the limit fell from 100 to its floor of 20, and the queue
// that followed turned a normal load into a refused one. 5 ms, the first value, let the limit
// settle where the median admitted request waited ~5 ms; against it, 3 ms in four interleaved
// pairs of the overload bench: admitted p99 at 1-2x a median 19-20 ms against 27-30 ms, goodput
// at 3x 89-100 % of the peak against 65-100 %, no more refused at 0.5x; 2 ms cut latency as
// much but took goodput at 3x to 83-84 % in three runs of five (docs/performance.md). Only a
// baseline under 3 ms meets it; above, TOLERANCE decides.
const SLACK_MS = 3;
const BUCKET_WINDOWS = 10;
const BUCKETS = 60;
const WARMUP_WINDOWS = 10;
// The limit only shrinks when a window ran near it (90 % of the slots in use): latency noise
// while most slots are free is not queueing for a slot, and cutting the limit then only refuses
// the next burst (one loop turn can start dozens of requests at once).
const NEAR_LIMIT = 0.9;
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
 * Steady state: the limit where latency sits near TOLERANCE x baseline (or baseline + SLACK_MS
 * for a fast baseline), the knee of the latency curve,
 * i.e. the most concurrency the process serves without queueing. Pure and clock-free: the owner
 * (admission.window.ts) decides what a window is.
 */
export class ConcurrencyLimiter {
  private estimate: number;
  private baseline = 0;
  private windows = 0;
  private readonly buckets = new Float64Array(BUCKETS).fill(Infinity);

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
    this.observeBaseline(latency);
    const tolerated = Math.max(TOLERANCE * this.baseline, this.baseline + SLACK_MS);
    const gradient = clamp(tolerated / latency, MIN_GRADIENT, MAX_GRADIENT);
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
    const target = this.estimate * gradient + Math.sqrt(this.estimate);
    const nearLimit = window.maxInFlight >= this.estimate * NEAR_LIMIT;
    const mayShrink = target >= this.estimate || nearLimit;
    if (this.windows > WARMUP_WINDOWS && (!appLimited || recovering) && mayShrink) {
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

  /** The lowest window median of the last BUCKETS x BUCKET_WINDOWS windows. */
  private observeBaseline(latency: number): void {
    const bucket = Math.floor((this.windows - 1) / BUCKET_WINDOWS) % BUCKETS;
    if ((this.windows - 1) % BUCKET_WINDOWS === 0) this.buckets[bucket] = latency;
    else if (latency < this.buckets[bucket]!) this.buckets[bucket] = latency;
    let lowest = Infinity;
    for (const value of this.buckets) if (value < lowest) lowest = value;
    this.baseline = lowest;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
