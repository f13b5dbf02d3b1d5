import { gateAt, wait } from '../../test/support/connection-gate.js';

describe('ConnectionGate under a lower ceiling (connection.ceiling.ts)', () => {
  it('limited to the open connections, holders above the ceiling hand their slot to nobody', async () => {
    const { gate } = gateAt({ max: 3 });
    const a = await gate.acquire(wait(5_000));
    const b = await gate.acquire(wait(5_000));
    // The third holder's connect was refused for want of a server slot; two connections exist.
    const c = await gate.acquire(wait(5_000));
    expect(gate.limitTo(2, 60_000)).toBe(true);
    gate.release(c);
    expect(gate.inUse).toBe(2);
    let served = 0;
    const next = gate.acquire(wait(5_000)).then((at) => (served++, at));
    const after = gate.acquire(wait(5_000)).then((at) => (served++, at));
    await Promise.resolve();
    expect(gate.waiting).toBe(2);
    gate.release(a); // at the ceiling: its connection goes to the next waiter
    await next;
    expect(served).toBe(1);
    expect(gate.inUse).toBe(2);
    gate.release(b);
    await after;
    expect(served).toBe(2);
    expect(gate.capacity).toBe(2);
  });

  it('lifts the ceiling after its time: queued callers take the slots it frees', async () => {
    const { gate } = gateAt({ max: 3 });
    await gate.acquire(wait(5_000));
    expect(gate.limitTo(1, 20)).toBe(true);
    const waiting = [gate.acquire(wait(5_000)), gate.acquire(wait(5_000))];
    expect(gate.waiting).toBe(2);
    await Promise.all(waiting);
    expect(gate.capacity).toBe(3);
    expect(gate.inUse).toBe(3);
  });

  it('with no open connection there is nothing to wait for', () => {
    const { gate } = gateAt({ max: 3 });
    expect(gate.limitTo(0, 1_000)).toBe(false);
    expect(gate.capacity).toBe(3);
  });
});
