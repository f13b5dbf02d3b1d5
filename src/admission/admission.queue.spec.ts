import { AdmissionQueue, type Waiter } from './admission.queue.js';

interface Named extends Waiter {
  name: string;
}

const bounds = { maxLength: 3, standingAfterMs: 100, standingMaxWaitMs: 5 };
const waiter = (name: string, arrivedAt: number, maxWaitMs = 1_000): Named => ({
  name,
  arrivedAt,
  maxWaitMs,
});

describe('AdmissionQueue', () => {
  it('serves a burst oldest first and refuses arrivals past its bound', () => {
    const queue = new AdmissionQueue<Named>(bounds);
    expect(queue.offer(waiter('a', 0), 0)).toBe(true);
    expect(queue.offer(waiter('b', 1), 1)).toBe(true);
    expect(queue.offer(waiter('c', 2), 2)).toBe(true);
    expect(queue.offer(waiter('d', 3), 3)).toBe(false);
    expect([queue.take(4)?.name, queue.take(5)?.name, queue.take(6)?.name]).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(queue.take(7)).toBeUndefined();
  });

  it('expires each waiter at its own maximum wait (its deadline may be shorter)', () => {
    const queue = new AdmissionQueue<Named>(bounds);
    queue.offer(waiter('long', 0, 1_000), 0);
    queue.offer(waiter('short', 0, 50), 0);
    expect(queue.nextExpiry(0)).toBe(50);
    expect(queue.expire(49)).toEqual([]);
    expect(queue.expire(50).map((w) => w.name)).toEqual(['short']);
    expect(queue.length).toBe(1);
  });

  it('skips waiters whose client left', () => {
    const queue = new AdmissionQueue<Named>(bounds);
    const gone = waiter('gone', 0);
    queue.offer(gone, 0);
    queue.offer(waiter('here', 1), 1);
    queue.cancel(gone, 2);
    expect(queue.take(2)?.name).toBe('here');
    expect(queue.length).toBe(0);
  });

  it('counts only waiters whose client is still there: in its length, its bound and its expiries', () => {
    const queue = new AdmissionQueue<Named>(bounds);
    const gone = [waiter('a', 0, 10), waiter('b', 0, 10)];
    for (const w of gone) queue.offer(w, 0);
    queue.offer(waiter('c', 0, 500), 0);
    for (const w of gone) queue.cancel(w, 1);
    expect(queue.length).toBe(1);
    // Room for two more, though three entries are held.
    expect(queue.offer(waiter('d', 2), 2)).toBe(true);
    expect(queue.offer(waiter('e', 2), 2)).toBe(true);
    expect(queue.offer(waiter('f', 2), 2)).toBe(false);
    // The departed waiters' ends are no expiry to wake for.
    expect(queue.nextExpiry(3)).toBe(101);
    expect(queue.expire(20)).toEqual([]);
    expect(queue.length).toBe(3);
  });

  it('is empty once its last live waiter is taken, though departed ones were behind it', () => {
    const queue = new AdmissionQueue<Named>(bounds);
    const gone = waiter('gone', 0);
    queue.offer(waiter('here', 0), 0);
    queue.offer(gone, 0);
    queue.cancel(gone, 1);
    expect(queue.take(2)?.name).toBe('here');
    // Nothing left to wake for: the departed waiter went with the last live one.
    expect(queue.nextExpiry(2)).toBeUndefined();
  });

  it('is empty once its last live waiter leaves, and a newcomer meets no standing queue', () => {
    const queue = new AdmissionQueue<Named>(bounds);
    const only = waiter('only', 0);
    queue.offer(only, 0);
    queue.cancel(only, 10);
    expect(queue.length).toBe(0);
    expect(queue.nextExpiry(10)).toBeUndefined();
    expect(queue.standing(200)).toBe(false);
    expect(queue.take(200)).toBeUndefined();
  });

  it('does not call a draining burst standing, however long it takes to drain', () => {
    const queue = new AdmissionQueue<Named>({ ...bounds, maxLength: 100 });
    for (let i = 0; i < 50; i++) queue.offer(waiter(`w${i}`, 0), 0);
    let now = 0;
    while (queue.length > 0) {
      now += 10;
      expect(queue.standing(now)).toBe(false);
      queue.take(now);
    }
    expect(now).toBeGreaterThan(2 * bounds.standingAfterMs);
  });

  it('stands once it stays non-empty and does not shrink: newest first, waits cut short', () => {
    const queue = new AdmissionQueue<Named>({ ...bounds, maxLength: 100 });
    queue.standing(0);
    for (let t = 1; t <= 250; t++) {
      queue.offer(waiter(`w${t}`, t), t);
      if (t % 2 === 0) queue.take(t);
      queue.standing(t);
    }
    expect(queue.standing(250)).toBe(true);
    queue.offer(waiter('newest', 250), 250);
    expect(queue.take(250)?.name).toBe('newest');
    // Everything that waited 5 ms or more is refused, not served late.
    const expired = queue.expire(251);
    expect(expired.length).toBeGreaterThan(0);
    expect(expired.every((w) => 251 - w.arrivedAt >= 5)).toBe(true);
    expect(queue.length).toBeLessThanOrEqual(5);
  });

  it('stops standing once it has stayed empty for an interval, not at a moment of emptiness', () => {
    const queue = new AdmissionQueue<Named>({ ...bounds, maxLength: 100 });
    queue.standing(0);
    for (let t = 1; t <= 250; t++) {
      queue.offer(waiter(`w${t}`, t), t);
      queue.standing(t);
    }
    expect(queue.standing(250)).toBe(true);
    queue.expire(10_000);
    expect(queue.length).toBe(0);
    expect(queue.standing(10_050)).toBe(true);
    expect(queue.standing(10_100)).toBe(false);
  });
});
