import { ConnectionGate } from './connection.gate.js';

const never = () => new AbortController().signal;

describe('ConnectionGate', () => {
  it('admits up to max at once and hands slots over in FIFO order', async () => {
    const gate = new ConnectionGate(2);
    await gate.acquire(1_000, never());
    await gate.acquire(1_000, never());
    const order: number[] = [];
    const third = gate.acquire(1_000, never()).then(() => order.push(3));
    const fourth = gate.acquire(1_000, never()).then(() => order.push(4));
    expect(gate.waiting).toBe(2);
    gate.release();
    gate.release();
    await Promise.all([third, fourth]);
    expect(order).toEqual([3, 4]);
    expect(gate.inUse).toBe(2);
  });

  it('a waiter past its timeout gets DB_POOL_TIMEOUT and leaves the queue', async () => {
    const gate = new ConnectionGate(1);
    await gate.acquire(1_000, never());
    await expect(gate.acquire(20, never())).rejects.toMatchObject({
      code: 'DB_POOL_TIMEOUT',
      status: 503,
    });
    expect(gate.waiting).toBe(0);
    gate.release();
    expect(gate.inUse).toBe(0);
  });

  it('an aborted waiter leaves at once with the abort reason and never takes a slot', async () => {
    const gate = new ConnectionGate(1);
    await gate.acquire(1_000, never());
    const controller = new AbortController();
    const waiting = gate.acquire(10_000, controller.signal);
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    gate.release();
    expect(gate.inUse).toBe(0);
    expect(gate.waiting).toBe(0);
  });
});
