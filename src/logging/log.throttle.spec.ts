import { LogThrottle } from './log.throttle.js';

describe('LogThrottle', () => {
  it('writes the first occurrence, counts the rest of the interval, and reports the count on the next line', () => {
    const throttle = new LogThrottle(10_000);
    expect(throttle.take(0)).toEqual({ suppressed: 0 });
    expect(throttle.take(1_000)).toBeUndefined();
    expect(throttle.take(9_999)).toBeUndefined();
    expect(throttle.take(10_000)).toEqual({ suppressed: 2 });
    expect(throttle.take(10_001)).toBeUndefined();
  });
});
