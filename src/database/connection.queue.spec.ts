import { ConnectionQueue } from './connection.queue.js';

const never = () => new AbortController().signal;

/** How a wait ended so far: pending, or rejected with what. */
function watch(wait: Promise<number>) {
  const seen: { settled: boolean; error?: unknown } = { settled: false };
  wait.then(
    () => (seen.settled = true),
    (error: unknown) => Object.assign(seen, { settled: true, error }),
  );
  return seen;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A queue on a clock the test passes in (the gate's `now`); the waits' timers are real, so every
 * test ends with the queue empty (rejectAll) and leaves no timer behind.
 */
describe('ConnectionQueue', () => {
  let queue: ConnectionQueue;
  beforeEach(() => (queue = new ConnectionQueue()));
  afterEach(() => queue.rejectAll(new Error('test over')));

  it('serves the oldest waiter first, the newest first in LIFO', () => {
    for (const now of [1_000, 1_001, 1_002, 1_003]) watch(queue.wait(never(), now, 5_000));
    expect(queue.next(1_010, false)?.enqueuedAt).toBe(1_000);
    expect(queue.next(1_010, true)?.enqueuedAt).toBe(1_003);
    expect(queue.next(1_010, false)?.enqueuedAt).toBe(1_001);
    expect(queue.length).toBe(1);
  });

  it('keeps since when it has not been empty: from the first wait until the last leaves', () => {
    expect(queue.nonEmptySince).toBe(0);
    watch(queue.wait(never(), 1_000, 5_000));
    watch(queue.wait(never(), 1_050, 5_000));
    expect(queue.nonEmptySince).toBe(1_000);
    queue.next(1_060, false);
    expect(queue.nonEmptySince).toBe(1_000);
    queue.next(1_070, false);
    expect(queue.nonEmptySince).toBe(0);
    watch(queue.wait(never(), 2_000, 5_000));
    expect(queue.nonEmptySince).toBe(2_000);
  });

  it('a wait ends at its timer with DB_POOL_TIMEOUT and leaves the queue', async () => {
    const seen = watch(queue.wait(never(), 1_000, 20));
    watch(queue.wait(never(), 1_000, 5_000));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen.error).toMatchObject({
      code: 'DB_POOL_TIMEOUT',
      status: 503,
      message: expect.stringContaining('within 20 ms'),
    });
    expect(queue.length).toBe(1);
    expect(queue.next(1_100, false)?.expiresAt).toBe(6_000);
  });

  it("a wait ends at its caller's abort, at once, with the abort's reason", async () => {
    const controller = new AbortController();
    const seen = watch(queue.wait(controller.signal, 1_000, 5_000));
    watch(queue.wait(never(), 1_001, 5_000));
    const reason = new Error('client left');
    controller.abort(reason);
    await flush();
    expect(seen.error).toBe(reason);
    expect(queue.length).toBe(1);
    expect(queue.next(1_010, false)?.enqueuedAt).toBe(1_001);
  });

  it('a wait asked with a signal already aborted ends at once with its reason, never queued', async () => {
    const controller = new AbortController();
    const reason = new Error('client left before the wait');
    controller.abort(reason);
    const seen = watch(queue.wait(controller.signal, 1_000, 5_000));
    await flush();
    expect(seen.error).toBe(reason);
    expect(queue.length).toBe(0);
  });

  it('a wait whose time is up is refused when reached, not served late, even before its timer fires', async () => {
    const late = watch(queue.wait(never(), 1_000, 50));
    watch(queue.wait(never(), 1_000, 5_000));
    // At its end exactly (1,050): the thread was busy, its timer has not run.
    expect(queue.next(1_050, false)?.expiresAt).toBe(6_000);
    await flush();
    expect(late.error).toMatchObject({
      code: 'DB_POOL_TIMEOUT',
      message: expect.stringContaining('within 50 ms'),
    });
    expect(queue.length).toBe(0);
  });

  it('once the queue stands, every wait longer than the target is cut to it; shorter ones are left', async () => {
    const first = watch(queue.wait(never(), 1_000, 5_000));
    const second = watch(queue.wait(never(), 1_010, 5_000));
    const soon = watch(queue.wait(never(), 1_020, 25)); // ends at 1,045: within the target
    expect(queue.shortened).toBe(false);
    queue.shortenWaits(1_020, 30);
    expect(queue.shortened).toBe(true);
    // LIFO at 1,050: all three waits are over (cut to 1,050, or 1,045 as asked), each
    // refused with the time it waited.
    expect(queue.next(1_050, true)).toBeUndefined();
    await flush();
    expect([first.error, second.error, soon.error]).toEqual([
      expect.objectContaining({ message: expect.stringContaining('within 50 ms') }),
      expect.objectContaining({ message: expect.stringContaining('within 40 ms') }),
      expect.objectContaining({ message: expect.stringContaining('within 30 ms') }),
    ]);
    // Emptied: the next standing period is cut afresh.
    expect(queue.shortened).toBe(false);
  });

  it('a cut wait ends at its new timer, the target from the cut, with the whole time waited', async () => {
    const cut = watch(queue.wait(never(), 1_000, 5_000));
    queue.shortenWaits(1_020, 30);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(cut.error).toMatchObject({
      code: 'DB_POOL_TIMEOUT',
      message: expect.stringContaining('within 50 ms'),
    });
    expect(queue.length).toBe(0);
  });

  it('rejectAll fails every waiter and empties the queue', async () => {
    const waits = [1_000, 1_001].map((now) => watch(queue.wait(never(), now, 5_000)));
    queue.shortenWaits(1_002, 30);
    queue.rejectAll(new Error('breaker open'));
    await flush();
    for (const seen of waits) expect(seen.error).toEqual(new Error('breaker open'));
    expect([queue.length, queue.nonEmptySince, queue.shortened]).toEqual([0, 0, false]);
  });
});
