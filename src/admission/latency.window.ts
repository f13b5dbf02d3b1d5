// A window keeps at most this many latencies; past it, reservoir sampling (Vitter's algorithm R)
// keeps a uniform sample of that size, whose median is the whole window's to within a few
// percent. 1,024 doubles per 100 ms window is 8 KiB and a sort of 1,024 numbers (~50 µs) ten
// times a second.
const CAPACITY = 1024;

/**
 * The latencies of requests that finished during one limiter window, and the most requests in
 * flight at once meanwhile. `take()` summarises and starts the next window.
 */
export class LatencyWindow {
  private readonly samples = new Float64Array(CAPACITY);
  private count = 0;
  private seen = 0;
  private peakInFlight = 0;

  /** One finished request's latency, ms. */
  record(latencyMs: number): void {
    this.seen++;
    if (this.count < CAPACITY) {
      this.samples[this.count++] = latencyMs;
    } else {
      // Reservoir sampling (Vitter's algorithm R): every request equally likely to be kept.
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < CAPACITY) this.samples[slot] = latencyMs;
    }
  }

  /** Called at admission time with the new in-flight count. */
  observeInFlight(inFlight: number): void {
    if (inFlight > this.peakInFlight) this.peakInFlight = inFlight;
  }

  /** Requests recorded in this window so far. */
  get size(): number {
    return this.seen;
  }

  /** Median latency (ms) and peak in-flight of the window, then starts a new one. */
  take(currentInFlight: number): { medianMs: number; count: number; maxInFlight: number } {
    const kept = this.samples.subarray(0, this.count).sort();
    const medianMs = this.count === 0 ? 0 : kept[Math.floor((this.count - 1) / 2)]!;
    const result = { medianMs, count: this.seen, maxInFlight: this.peakInFlight };
    this.count = 0;
    this.seen = 0;
    this.peakInFlight = currentInFlight;
    return result;
  }
}
