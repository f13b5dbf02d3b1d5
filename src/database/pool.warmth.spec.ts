import { PoolWarmth } from './pool.warmth.js';

/** Warmth of a pool of `max` holders on a clock the test moves. */
function warmthOf(max: number) {
  const clock = { now: 1_000_000 };
  return { warmth: new PoolWarmth(max, () => clock.now), clock };
}

describe('PoolWarmth', () => {
  it('is cold while half or more of the holders are opening connections', () => {
    const { warmth } = warmthOf(4);
    const cold: boolean[] = [warmth.cold];
    for (let i = 0; i < 3; i++) {
      warmth.openingConnection();
      cold.push(warmth.cold);
    }
    expect(cold).toEqual([false, false, true, true]);
  });

  it('with an odd maximum, cold from more than half (3 of 5), and one of one (PGlite)', () => {
    const { warmth } = warmthOf(5);
    warmth.openingConnection();
    warmth.openingConnection();
    expect(warmth.cold).toBe(false);
    warmth.openingConnection();
    expect(warmth.cold).toBe(true);
    const single = warmthOf(1).warmth;
    single.openingConnection();
    expect(single.cold).toBe(true);
  });

  it('warm since the moment the last opening that kept it cold ended, opened or failed', () => {
    const { warmth, clock } = warmthOf(4);
    expect(warmth.warmSince).toBe(0);
    const done = [
      warmth.openingConnection(),
      warmth.openingConnection(),
      warmth.openingConnection(),
    ];
    clock.now += 100;
    done[0]!(); // two of four still opening: cold
    expect([warmth.cold, warmth.warmSince]).toEqual([true, 0]);
    clock.now += 50;
    done[1]!(); // failed to open, say: one of four opening, warm from now
    expect([warmth.cold, warmth.warmSince]).toEqual([false, 1_000_150]);
    clock.now += 50;
    done[2]!(); // already warm: since stays
    expect(warmth.warmSince).toBe(1_000_150);
  });

  it('one connection reopened in a warm pool leaves since when it has been warm', () => {
    const { warmth, clock } = warmthOf(4);
    const cold = [warmth.openingConnection(), warmth.openingConnection()];
    clock.now += 10;
    for (const done of cold) done();
    expect(warmth.warmSince).toBe(1_000_010);
    clock.now += 500;
    const reopening = warmth.openingConnection();
    expect(warmth.cold).toBe(false);
    clock.now += 20;
    reopening();
    expect(warmth.warmSince).toBe(1_000_010);
  });
});
