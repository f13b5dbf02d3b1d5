import { gateAt, wait } from '../../test/support/connection-gate.js';

describe('ConnectionGate while its queue stands (connection.standing.ts)', () => {
  it('a standing queue (not empty for an interval) serves the newest first and gives new callers only the target wait', async () => {
    const { gate, clock } = gateAt({ targetMs: 25 });
    const held = await gate.acquire(wait(1_000));
    const order: string[] = [];
    const old = gate.acquire(wait(5_000)).then((at) => (order.push('old'), at));
    expect(gate.standing).toBe(false);
    clock.now += 150;
    expect(gate.standing).toBe(true);
    const fresh = gate.acquire(wait(5_000)).then((at) => (order.push('fresh'), at));
    gate.release(held);
    gate.release(await fresh);
    gate.release(await old);
    expect(order).toEqual(['fresh', 'old']);

    const again = await gate.acquire(wait(1_000));
    const first = gate.acquire(wait(5_000));
    const second = gate.acquire(wait(5_000));
    const fifoEstimate = gate.estimatedWaitMs();
    clock.now += 150;
    // A newcomer to a standing (LIFO) queue is next in line: the waiters below it add nothing.
    expect(gate.estimatedWaitMs() - 150).toBeLessThan(fifoEstimate);
    // Arrived while the queue stands: capped at the CoDel target (25 ms), not the 5 s asked.
    await expect(gate.acquire(wait(5_000))).rejects.toThrow(/within 25 ms/);
    gate.release(again);
    gate.release(await second);
    gate.release(await first);
  });

  it('the target is two holds as long as they take now: at least 5 ms, at most DB_POOL_QUEUE_TARGET_MS', async () => {
    const { gate, clock } = gateAt({ targetMs: 50 });
    const holdFor = async (ms: number, times: number) => {
      for (let i = 0; i < times; i++) {
        const at = await gate.acquire(wait(1_000));
        clock.now += ms;
        gate.release(at);
      }
    };
    await holdFor(1, 30); // an uncached read: two holds are 2 ms, under the floor
    expect(gate.standingTargetMs()).toBe(5);
    await holdFor(10, 30); // the average follows the holds within a few dozen
    expect(gate.standingTargetMs()).toBeCloseTo(20, 0);
    await holdFor(40, 30); // a hot-row update: capped
    expect(gate.standingTargetMs()).toBe(50);
    await holdFor(1, 30);
    expect(gate.standingTargetMs()).toBe(5);
    // Holders stuck (a lock, a frozen server): no slot has changed hands for a second, and the
    // short average says nothing about the next release.
    const stuck = await gate.acquire(wait(1_000));
    clock.now += 1_000;
    expect(gate.standingTargetMs()).toBe(50);
    gate.release(stuck);
  });

  it('a queue behind a cold pool (half its holders connecting) is not standing, until an interval after it warmed', async () => {
    const { gate, clock } = gateAt({ max: 4 });
    const held = await Promise.all([1, 2, 3, 4].map(() => gate.acquire(wait(1_000))));
    const opened = [gate.openingConnection(), gate.openingConnection()];
    const queued = gate.acquire(wait(5_000));
    clock.now += 150; // past the interval, but half the holders are still connecting
    expect(gate.standing).toBe(false);
    opened[0]!(); // one of four connecting: warm again
    opened[1]!();
    clock.now += 99;
    expect(gate.standing).toBe(false);
    clock.now += 1;
    expect(gate.standing).toBe(true);
    // One connection reopened under load leaves the pool warm: CoDel keeps working.
    const reopening = gate.openingConnection();
    expect(gate.standing).toBe(true);
    reopening();
    for (const at of held) gate.release(at);
    gate.release(await queued);
  });

  it('once LIFO serves out of order, waiters from before the queue stood are cut to the target wait', async () => {
    const { gate, clock } = gateAt({ max: 2, targetMs: 25 });
    const a = await gate.acquire(wait(1_000));
    const b = await gate.acquire(wait(1_000));
    const early = gate.acquire(wait(10_000));
    const late = gate.acquire(wait(10_000));
    clock.now += 150;
    gate.release(a); // standing: the newest (late) is served, early's 10 s wait becomes 25 ms
    const started = performance.now();
    await expect(early).rejects.toMatchObject({ code: 'DB_POOL_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(5_000);
    gate.release(b);
    gate.release(await late);
    expect(gate.inUse).toBe(0);
  });
});
