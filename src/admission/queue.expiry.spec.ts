import { performance } from 'node:perf_hooks';
import { AdmissionQueue, type Waiter } from './admission.queue.js';
import { QueueExpiry } from './queue.expiry.js';

interface Named extends Waiter {
  name: string;
}

/** What expired, and how many were still queued when it was handed over. */
interface Expired {
  name: string;
  afterMs: number;
  stillQueued: number;
}

// Real timers, waits of tens of ms; the queue's standing checkpoint is kept out of the way.
function expiryOver() {
  const queue = new AdmissionQueue<Named>({
    maxLength: 100,
    standingAfterMs: 10_000,
    standingMaxWaitMs: 5,
  });
  const startedAt = performance.now();
  const expired: Expired[] = [];
  let onExpired: () => void = () => undefined;
  const expiry = new QueueExpiry<Named>(queue, (waiter) => {
    expired.push({
      name: waiter.name,
      afterMs: performance.now() - startedAt,
      stillQueued: queue.length,
    });
    onExpired();
  });
  /** Queues a waiter now and arms the timer, as the gate does (admission.gate.ts, wait()). */
  const offer = (name: string, maxWaitMs: number) => {
    const now = performance.now();
    queue.offer({ name, arrivedAt: now, maxWaitMs }, now);
    expiry.arm(now);
  };
  /** Resolves once `count` waiters in all have expired. */
  const expiredCount = (count: number) =>
    new Promise<void>((resolve) => {
      onExpired = () => {
        if (expired.length >= count) resolve();
      };
      onExpired();
    });
  return { queue, expiry, expired, offer, expiredCount };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts the timers set until restore() (ESM jest has no global `jest` to spy with). */
function countTimersSet() {
  const real = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = Object.assign(
    (...args: Parameters<typeof real>) => (timers++, real(...args)),
    real,
  );
  return { count: () => timers, restore: () => (globalThis.setTimeout = real) };
}

describe('QueueExpiry', () => {
  it('hands each waiter over when its own wait ends, earliest first, re-arming for the next', async () => {
    const { expiry, expired, offer, expiredCount } = expiryOver();
    // Far apart: a machine that stalls this process past both waits (60 ms against 20 did, with
    // two jest workers on two cores) hands both over in one pass, in queue order.
    offer('long', 600);
    offer('short', 20);
    await expiredCount(2);
    expect(expired.map((e) => [e.name, e.stillQueued])).toEqual([
      ['short', 1],
      ['long', 0],
    ]);
    expect(expired[0]!.afterMs).toBeGreaterThanOrEqual(20);
    expect(expired[1]!.afterMs).toBeGreaterThanOrEqual(600);
    expiry.stop();
  });

  it('later waits arm no timer of their own: the one set for the earliest wait stays', async () => {
    const { expiry, expired, offer, expiredCount } = expiryOver();
    const { count, restore } = countTimersSet();
    try {
      offer('early', 20);
      for (let i = 0; i < 20; i++) offer(`later${i}`, 300 + i);
      expect(count()).toBe(1);
    } finally {
      restore();
    }
    await expiredCount(1);
    expect(expired).toEqual([{ name: 'early', afterMs: expect.any(Number), stillQueued: 20 }]);
    expect(expired[0]!.afterMs).toBeGreaterThanOrEqual(20);
    expiry.stop();
  });

  it('an earlier wait arriving later moves the timer sooner', async () => {
    const { expiry, expired, offer, expiredCount } = expiryOver();
    offer('late', 2_000); // never waited for: only its order against 'early' is checked
    offer('early', 20);
    await expiredCount(1);
    expect(expired).toEqual([{ name: 'early', afterMs: expect.any(Number), stillQueued: 1 }]);
    expiry.stop();
  });

  it('a wait already over when armed is handed over on the next timer turn', async () => {
    const { queue, expiry, expired, expiredCount } = expiryOver();
    const now = performance.now();
    queue.offer({ name: 'stale', arrivedAt: now - 50, maxWaitMs: 10 }, now);
    expiry.arm(now);
    await expiredCount(1);
    expect(expired.map((e) => e.name)).toEqual(['stale']);
    expect(queue.length).toBe(0);
    expiry.stop();
  });

  it('stop() clears the timer: the queued wait is never handed over', async () => {
    const { queue, expiry, expired, offer } = expiryOver();
    offer('waiting', 20);
    expiry.stop();
    await sleep(80);
    expect(expired).toEqual([]);
    expect(queue.length).toBe(1);
  });
});
