import { LatencyWindow } from './latency.window.js';

describe('LatencyWindow', () => {
  it('reports the median latency and the peak in-flight count, then starts afresh', () => {
    const window = new LatencyWindow();
    for (const ms of [5, 1, 3, 2, 4]) window.record(ms);
    window.observeInFlight(7);
    window.observeInFlight(3);
    expect(window.take(2)).toEqual({ medianMs: 3, count: 5, maxInFlight: 7 });
    // The next window starts from the requests still in flight, with no latencies.
    expect(window.take(0)).toEqual({ medianMs: 0, count: 0, maxInFlight: 2 });
  });

  it('keeps an unbiased sample past its capacity', () => {
    const window = new LatencyWindow();
    for (let i = 0; i < 20_000; i++) window.record(i % 100);
    const { medianMs, count } = window.take(0);
    expect(count).toBe(20_000);
    expect(medianMs).toBeGreaterThan(40);
    expect(medianMs).toBeLessThan(60);
  });
});
