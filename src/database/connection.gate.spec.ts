import { gateAt, wait } from '../../test/support/connection-gate.js';

describe('ConnectionGate', () => {
  it('admits up to max at once and hands slots over in FIFO order', async () => {
    const { gate } = gateAt({ max: 2 });
    const a = await gate.acquire(wait(1_000));
    const b = await gate.acquire(wait(1_000));
    const order: number[] = [];
    const third = gate.acquire(wait(1_000)).then(() => order.push(3));
    const fourth = gate.acquire(wait(1_000)).then(() => order.push(4));
    expect(gate.waiting).toBe(2);
    gate.release(a);
    gate.release(b);
    await Promise.all([third, fourth]);
    expect(order).toEqual([3, 4]);
    expect(gate.inUse).toBe(2);
  });

  it('a waiter past the cap gets DB_POOL_TIMEOUT and leaves the queue', async () => {
    const { gate } = gateAt();
    const held = await gate.acquire(wait(1_000));
    await expect(gate.acquire(wait(20))).rejects.toMatchObject({
      code: 'DB_POOL_TIMEOUT',
      status: 503,
      retryAfterSeconds: 1,
    });
    expect(gate.waiting).toBe(0);
    gate.release(held);
    expect(gate.inUse).toBe(0);
  });

  it('a waiter whose time is up when a slot frees is refused, even before its timer fires', async () => {
    const { gate, clock } = gateAt({ max: 1 });
    const held = await gate.acquire(wait(1_000));
    const late = gate.acquire(wait(50));
    const inTime = gate.acquire(wait(1_000));
    clock.now += 60; // the thread was busy: the first waiter's 50 ms passed, its timer did not run
    gate.release(held);
    await expect(late).rejects.toMatchObject({ code: 'DB_POOL_TIMEOUT' });
    await inTime;
    expect(gate.inUse).toBe(1);
    expect(gate.waiting).toBe(0);
  });

  it('an aborted waiter leaves at once with the abort reason and never takes a slot', async () => {
    const { gate } = gateAt();
    const held = await gate.acquire(wait(1_000));
    const controller = new AbortController();
    const waiting = gate.acquire({ signal: controller.signal, timeoutMs: 10_000 });
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    gate.release(held);
    expect(gate.inUse).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('one caller over DB_POOL_QUEUE_MAX is refused with DB_QUEUE_FULL without queueing', async () => {
    const { gate } = gateAt({ queueMax: 2 });
    const held = await gate.acquire(wait(1_000));
    const queued = [gate.acquire(wait(1_000)), gate.acquire(wait(1_000))];
    await expect(gate.acquire(wait(1_000))).rejects.toMatchObject({ code: 'DB_QUEUE_FULL' });
    expect(gate.waiting).toBe(2);
    gate.release(held);
    gate.release(await queued[0]!);
    gate.release(await queued[1]!);
  });

  it('a caller whose deadline is nearer than the expected wait is refused at once with DB_POOL_SATURATED', async () => {
    const { gate, clock } = gateAt();
    const held = await gate.acquire(wait(1_000));
    clock.now += 1_000; // the only slot has not changed hands for a second
    const refused = gate.acquire(wait(10_000, clock.now + 300));
    await expect(refused).rejects.toMatchObject({ code: 'DB_POOL_SATURATED', status: 503 });
    expect(gate.waiting).toBe(0);
    // With time to spare the same caller queues and is served when the slot frees.
    const patient = gate.acquire(wait(10_000, clock.now + 8_000));
    expect(gate.waiting).toBe(1);
    gate.release(held);
    gate.release(await patient);
  });

  it('the wait never outlasts the deadline: less than the cap is left, the wait ends there', async () => {
    // On the test's clock: with the wall clock, a millisecond passing between reading the
    // deadline and the gate's own reading made it 39 ms left (it failed once in CI that way).
    const { gate, clock } = gateAt({ queueMax: 10, targetMs: 1_000 });
    const held = await gate.acquire(wait(1_000));
    const started = performance.now();
    await expect(gate.acquire(wait(10_000, clock.now + 40))).rejects.toThrow(/within 40 ms/);
    expect(performance.now() - started).toBeLessThan(10_000);
    gate.release(held);
  });

  it('rejectAll fails every waiter and leaves holders alone', async () => {
    const { gate } = gateAt();
    const held = await gate.acquire(wait(1_000));
    const waiters = [gate.acquire(wait(5_000)), gate.acquire(wait(5_000))];
    gate.rejectAll(new Error('breaker open'));
    for (const w of waiters) await expect(w).rejects.toThrow('breaker open');
    expect(gate.inUse).toBe(1);
    gate.release(held);
    expect(gate.inUse).toBe(0);
  });

  it('learns the typical hold from releases and scales the estimated wait with the queue', async () => {
    const { gate, clock } = gateAt({ max: 2 });
    for (let i = 0; i < 30; i++) {
      const at = await gate.acquire(wait(1_000));
      clock.now += 10;
      gate.release(at);
    }
    expect(gate.typicalHoldMs).toBeCloseTo(10, 0);
    const a = await gate.acquire(wait(1_000));
    const b = await gate.acquire(wait(1_000));
    const alone = gate.estimatedWaitMs();
    const queued = [gate.acquire(wait(1_000)), gate.acquire(wait(1_000))];
    expect(gate.estimatedWaitMs()).toBeGreaterThan(alone);
    gate.release(a);
    gate.release(b);
    for (const q of queued) gate.release(await q);
  });
});
