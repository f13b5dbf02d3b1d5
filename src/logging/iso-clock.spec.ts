import { IsoClock } from './iso-clock.js';

describe('IsoClock', () => {
  /** A clock reading whatever `at` holds, to walk it across boundaries. */
  function clockAt() {
    const time = { at: 0 };
    return { time, clock: new IsoClock(() => time.at) };
  }

  it('writes what Date.prototype.toISOString writes, across seconds, days, years and leap days', () => {
    const { time, clock } = clockAt();
    const starts = [
      Date.UTC(2026, 11, 4, 20, 8, 44, 998),
      Date.UTC(2026, 11, 31, 23, 59, 59, 990), // a new year
      Date.UTC(2028, 1, 28, 23, 59, 59, 995), // a leap day
      Date.UTC(1969, 11, 31, 23, 59, 59, 990), // before the epoch
      0,
    ];
    for (const start of starts) {
      for (let ms = 0; ms < 2_050; ms += 7) {
        time.at = start + ms;
        expect(clock.now()).toBe(new Date(time.at).toISOString());
      }
    }
  });

  it('goes back with the clock: a reading before the current second formats that reading', () => {
    const { time, clock } = clockAt();
    time.at = Date.UTC(2026, 11, 4, 20, 8, 44, 500);
    clock.now();
    time.at -= 1_000;
    expect(clock.now()).toBe('2026-12-04T20:08:43.500Z');
  });

  it('formats a millisecond once: the same reading gives the same string', () => {
    const { time, clock } = clockAt();
    time.at = Date.UTC(2026, 11, 4, 20, 8, 44, 367);
    const first = clock.now();
    expect(clock.now()).toBe(first);
    expect(first).toBe('2026-12-04T20:08:44.367Z');
  });

  it('reads the real clock by default', () => {
    const before = Date.now();
    const parsed = Date.parse(new IsoClock().now());
    expect(parsed).toBeGreaterThanOrEqual(before);
    expect(parsed).toBeLessThanOrEqual(Date.now());
  });
});
