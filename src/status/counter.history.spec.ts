import { CounterHistory } from './counter.history.js';

const read = (n: number) => new Map([['requests|ok', n]]);

describe('CounterHistory', () => {
  it('the first read is its own baseline', () => {
    const history = new CounterHistory(60_000, 1_000);
    const first = read(1);
    expect(history.remember(0, first)).toBe(first);
    expect(history.size).toBe(1);
  });

  it('a read every millisecond for five minutes keeps at most one a second over the window', () => {
    const history = new CounterHistory(60_000, 1_000);
    let largest = 0;
    for (let now = 0; now <= 300_000; now++) {
      history.remember(now, read(now));
      largest = Math.max(largest, history.size);
    }
    expect(largest).toBeLessThanOrEqual(61);
  });

  it('the baseline is the oldest read within the window, never older', () => {
    const history = new CounterHistory(60_000, 1_000);
    for (let now = 0; now < 90_000; now += 250) history.remember(now, read(now));
    const baseline = history.remember(90_000, read(90_000));
    expect(baseline.get('requests|ok')).toBe(30_000);
    expect(history.oldestAt).toBe(30_000);
  });
});
