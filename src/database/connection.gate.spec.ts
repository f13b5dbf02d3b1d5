import { ConnectionGate, type GateOptions } from './connection.gate.js';

const never = () => new AbortController().signal;

/** A gate on a clock the test moves; timers stay real (waits here are a few ms). */
function gateAt(options: Partial<GateOptions> = {}) {
  const clock = { now: 1_000_000 };
  const gate = new ConnectionGate({
    max: 1,
    queueMax: 100,
    intervalMs: 100,
    targetMs: 30,
    now: () => clock.now,
    ...options,
  });
  return { gate, clock };
}

const wait = (timeoutMs: number, deadline?: number) => ({
  signal: never(),
  timeoutMs,
  deadline,
});

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
