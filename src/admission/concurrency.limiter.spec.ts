import { ConcurrencyLimiter } from './concurrency.limiter.js';

const bounds = { minLimit: 5, maxLimit: 500, initialLimit: 50 };

/** Feeds `n` windows of the same latency with every slot in use (not app-limited). */
function feed(limiter: ConcurrencyLimiter, n: number, latencyMs: number, busy = true): void {
  for (let i = 0; i < n; i++) {
    limiter.update({ latencyMs, maxInFlight: busy ? limiter.limit : 0 });
  }
}

describe('ConcurrencyLimiter', () => {
  it('starts at the initial limit and holds it while it learns the baseline', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    expect(limiter.limit).toBe(50);
    expect(limiter.baselineMs).toBeCloseTo(2);
  });

  it('grows while latency stays at the baseline and every slot is used', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    feed(limiter, 5, 2);
    expect(limiter.limit).toBeGreaterThan(50);
  });

  it('shrinks when latency rises well above the baseline', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    feed(limiter, 5, 10);
    expect(limiter.limit).toBeLessThan(50);
  });

  it('tolerates a few milliseconds over a sub-millisecond baseline: that is not queueing anyone notices', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 0.25);
    feed(limiter, 5, 1.5); // 6x the baseline, but within baseline + 3 ms
    expect(limiter.limit).toBeGreaterThanOrEqual(50);
    feed(limiter, 5, 20); // queueing for real
    expect(limiter.limit).toBeLessThan(50);
  });

  it('over a sub-millisecond baseline, a window median more than 3 ms above it is queueing', () => {
    /** The limit after one busy window of `latencyMs` over a 0.25 ms baseline. */
    const limitAfter = (latencyMs: number): number => {
      const limiter = new ConcurrencyLimiter(bounds);
      feed(limiter, 10, 0.25);
      feed(limiter, 1, latencyMs);
      return limiter.limit;
    };
    expect(limitAfter(3)).toBeGreaterThanOrEqual(50);
    // 4.5 ms: within a 5 ms slack this still grew the limit; it is 4 ms of queueing.
    expect(limitAfter(4.5)).toBeLessThan(50);
  });

  it('never cuts by more than half per window, so one outlier does not collapse it', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    const before = limiter.limit;
    limiter.update({ latencyMs: 1_000, maxInFlight: before });
    expect(limiter.limit).toBeGreaterThanOrEqual(Math.floor(before * 0.5));
    expect(limiter.limit).toBeLessThan(before);
  });

  it('stays within min and max however long the signal lasts', () => {
    const low = new ConcurrencyLimiter(bounds);
    feed(low, 10, 2);
    feed(low, 200, 50);
    expect(low.limit).toBe(5);

    const high = new ConcurrencyLimiter(bounds);
    feed(high, 10, 2);
    feed(high, 200, 2);
    expect(high.limit).toBe(500);
  });

  it('holds the limit when the process is app-limited (fewer than half the slots in use)', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    feed(limiter, 50, 2, false);
    expect(limiter.limit).toBe(50);
    feed(limiter, 50, 20, false);
    expect(limiter.limit).toBe(50);
  });

  it('recovers to the initial limit by itself once the load stops and latency is healthy', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    feed(limiter, 30, 20);
    expect(limiter.limit).toBeLessThan(10);
    // Load gone: few requests in flight, latency back at the baseline; within a few windows.
    feed(limiter, 5, 2, false);
    expect(limiter.limit).toBe(50);
    feed(limiter, 100, 2, false);
    expect(limiter.limit).toBe(50);
  });

  it('does not grow while the event loop is saturated: more concurrency only queues for the CPU', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    for (let i = 0; i < 20; i++) {
      limiter.update({ latencyMs: 2, maxInFlight: limiter.limit, cpuSaturated: true });
    }
    expect(limiter.limit).toBe(50);
    limiter.update({ latencyMs: 20, maxInFlight: limiter.limit, cpuSaturated: true });
    expect(limiter.limit).toBeLessThan(50);
  });

  it('follows a lasting latency drop: the baseline falls fast when latency halves', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 10);
    feed(limiter, 40, 2);
    expect(limiter.baselineMs).toBeLessThan(5);
  });

  it('does not shrink on latency noise while most slots are free (no queueing for a slot)', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    for (let i = 0; i < 20; i++) {
      limiter.update({ latencyMs: 10, maxInFlight: Math.floor(limiter.limit * 0.6) });
    }
    expect(limiter.limit).toBe(50);
  });

  it('tolerates up to 2x the baseline, the lowest window median of the last minute', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    feed(limiter, 10, 2);
    feed(limiter, 5, 8);
    expect(limiter.baselineMs).toBe(2);
    const noisy = new ConcurrencyLimiter(bounds);
    feed(noisy, 10, 2);
    feed(noisy, 10, 3.9);
    expect(noisy.limit).toBeGreaterThanOrEqual(50);
  });

  it('ignores windows without a latency', () => {
    const limiter = new ConcurrencyLimiter(bounds);
    const update = limiter.update({ latencyMs: 0, maxInFlight: 50 });
    expect(update).toMatchObject({ previous: 50, limit: 50 });
    expect(limiter.baselineMs).toBe(0);
  });
});
