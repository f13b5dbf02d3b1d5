import { LoopLag } from './loop-lag.js';

describe('LoopLag: refusing on loop delay, and when that is sustained overload', () => {
  it('lags from the first window past the limit; sustained only from the second in a row', () => {
    const lag = new LoopLag(1_000);
    lag.judge(999);
    expect([lag.lagging, lag.sustained]).toEqual([false, false]);
    lag.judge(1_001);
    expect([lag.lagging, lag.sustained]).toEqual([true, false]); // one long pause
    lag.judge(1_500);
    expect([lag.lagging, lag.sustained]).toEqual([true, true]);
    lag.judge(20);
    expect([lag.lagging, lag.sustained]).toEqual([false, false]);
    lag.judge(2_000);
    expect([lag.lagging, lag.sustained]).toEqual([true, false]); // the count starts over
  });

  it('never lags with the check off (0)', () => {
    const lag = new LoopLag(0);
    for (let i = 0; i < 5; i++) lag.judge(60_000);
    expect([lag.lagging, lag.sustained]).toEqual([false, false]);
  });
});
