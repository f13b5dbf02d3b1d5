import { DeadlineQueue, QueuedDeadline } from './deadline.queue.js';

/** A clock that reads the given times in turn, then stays at the last. */
function scriptedClock(...times: number[]) {
  let reads = 0;
  return {
    now: () => times[Math.min(reads++, times.length - 1)]!,
    get reads() {
      return reads;
    },
  };
}

describe('DeadlineQueue', () => {
  it('calls each deadline of its duration once, oldest first, and none that was cancelled', async () => {
    const queue = new DeadlineQueue(15);
    const fired: string[] = [];
    let last!: () => void;
    const done = new Promise<void>((resolve) => (last = resolve));
    const a = queue.start(15, () => fired.push('a'));
    const b = queue.start(15, () => fired.push('b'));
    queue.start(15, () => {
      fired.push('c');
      last();
    });
    expect([a, b].every((h) => h instanceof QueuedDeadline)).toBe(true);
    expect(queue.size).toBe(3);
    queue.cancel(b);
    queue.cancel(b); // twice: still one removal
    expect(queue.size).toBe(2);
    await done;
    expect(fired).toEqual(['a', 'c']);
    expect(queue.size).toBe(0);
  });

  it('gives any other duration a timer of its own, cancellable the same way', async () => {
    const queue = new DeadlineQueue(30_000);
    const fired: string[] = [];
    const cancelled = queue.start(5, () => fired.push('cancelled'));
    expect(cancelled).not.toBeInstanceOf(QueuedDeadline);
    queue.cancel(cancelled);
    await new Promise<void>((resolve) => queue.start(10, resolve));
    expect(fired).toEqual([]);
    expect(queue.size).toBe(0);
  });

  it('re-arms when its timer fires before the oldest deadline left is due', async () => {
    // a starts at 0 (due 10) and is cancelled; b starts at 8 (due 18). The timer armed for a
    // fires with the clock at 9: b is not due, so it re-arms; at the next expiry (20) b fires.
    const clock = scriptedClock(0, 8, 9, 20);
    const queue = new DeadlineQueue(10, clock);
    const fired: number[] = [];
    const a = queue.start(10, () => fired.push(-1));
    queue.cancel(a);
    await new Promise<void>((resolve) =>
      queue.start(10, () => {
        fired.push(clock.reads);
        resolve();
      }),
    );
    expect(fired).toEqual([4]);
  });

  it('leaves a deadline that starts while others wait to the timer already armed', async () => {
    const clock = scriptedClock(0, 1, 11);
    const queue = new DeadlineQueue(10, clock);
    const fired: string[] = [];
    await new Promise<void>((resolve) => {
      queue.start(10, () => fired.push('first'));
      queue.start(10, () => {
        fired.push('second');
        resolve();
      });
    });
    // One expiry at 11 took both: the clock was read twice to start them and once to expire.
    expect(fired).toEqual(['first', 'second']);
    expect(clock.reads).toBe(3);
  });
});
