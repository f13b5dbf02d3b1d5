import { currentRequest, runInRequest } from '../request-context/context.store.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import { IncrementCombiner, type IncrementBatch } from './increment.combiner.js';

const MAX = Number.MAX_SAFE_INTEGER;
const never = () => new AbortController().signal;

class OutOfRange extends Error {}

/**
 * A counter table in memory whose statements complete when the test says so: `release()`
 * finishes the oldest one. Applies the CHECK like PostgreSQL (nothing written on violation).
 */
class SlowTable {
  readonly values = new Map<string, number>();
  readonly sent: IncrementBatch[] = [];
  private readonly gates: Array<() => void> = [];
  failWith?: unknown;

  apply = async (batch: IncrementBatch): Promise<number> => {
    this.sent.push(batch);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.failWith) throw this.failWith;
    const next = (this.values.get(batch.name) ?? 0) + batch.total;
    if (Math.abs(next) > MAX) throw new OutOfRange();
    this.values.set(batch.name, next);
    return next;
  };

  /** Lets the oldest pending statement finish, then lets the combiner react. */
  async release(): Promise<void> {
    this.gates.shift()?.();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }

  /** Releases statements until none is pending. */
  async drain(): Promise<void> {
    while (this.gates.length > 0) await this.release();
  }

  sizes(): number[] {
    return this.sent.map((b) => b.size);
  }
}

function setup(maxBatch = 1_000) {
  const table = new SlowTable();
  const events = { sent: [] as number[], withdrawn: 0 };
  const combiner = new IncrementCombiner({
    maxBatch,
    apply: table.apply,
    outOfRange: (e) => e instanceof OutOfRange,
    onSend: (size) => events.sent.push(size),
    onWithdraw: () => events.withdrawn++,
  });
  return { table, combiner, events };
}

describe('IncrementCombiner', () => {
  it('is busy for a name exactly while a statement for it is in flight', async () => {
    const { table, combiner } = setup();
    expect(combiner.busy('a')).toBe(false);
    const first = combiner.add('a', 1, never(), Infinity);
    expect([combiner.busy('a'), combiner.busy('b')]).toEqual([true, false]);
    const second = combiner.add('a', 1, never(), Infinity);
    await table.release();
    expect(combiner.busy('a')).toBe(true); // the second's statement is in flight now
    await table.release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(combiner.busy('a')).toBe(false);
  });

  it('sends the first increment at once and the ones arriving meanwhile together in the next statement', async () => {
    const { table, combiner, events } = setup();
    const first = combiner.add('c', 1, never(), Infinity);
    const rest = Array.from({ length: 99 }, () => combiner.add('c', 1, never(), Infinity));
    expect(combiner.waiting).toBe(99);
    await table.drain();
    expect(await first).toBe(1);
    // Arrival order: the second caller sees 2, the last 100.
    expect(await Promise.all(rest)).toEqual(Array.from({ length: 99 }, (_, i) => i + 2));
    expect(table.sizes()).toEqual([1, 99]);
    expect(table.sent.map((b) => b.total)).toEqual([1, 99]);
    expect(events.sent).toEqual([1, 99]);
    expect(combiner.waiting).toBe(0);
  });

  // A batch is sent from the continuation of the statement before it: run there, its query
  // spans went to the trace of the request that started the lane, answered long before.
  it("sends each statement in its first caller's request context, not in the one that sent the statement before", async () => {
    const table = new SlowTable();
    const requests: Array<string | undefined> = [];
    const combiner = new IncrementCombiner({
      maxBatch: 1_000,
      apply: (batch) => {
        requests.push(currentRequest()?.requestId);
        return table.apply(batch);
      },
      outOfRange: () => false,
    });
    const add = (requestId: string) =>
      runInRequest({ requestId, deadline: Infinity, signal: NEVER_ABORTS, startedAt: 0 }, () =>
        combiner.add('c', 1, never(), Infinity),
      );
    const all = [add('a'), add('b'), add('c'), add('d')];
    await table.release();
    const late = add('e');
    await table.drain();
    expect(await Promise.all([...all, late])).toEqual([1, 2, 3, 4, 5]);
    expect(table.sizes()).toEqual([1, 3, 1]);
    expect(requests).toEqual(['a', 'b', 'e']);
  });

  it('gives each caller the row value before the batch plus its prefix sum', async () => {
    const { table, combiner } = setup();
    table.values.set('c', 40);
    const lead = combiner.add('c', 2, never(), Infinity);
    const batch = [5, 1, 10, 3].map((by) => combiner.add('c', by, never(), Infinity));
    await table.drain();
    expect(await lead).toBe(42);
    expect(await Promise.all(batch)).toEqual([47, 48, 58, 61]);
    expect(table.values.get('c')).toBe(61);
  });

  it('keeps names apart: each name has its own statement in flight, and is forgotten once idle', async () => {
    const { table, combiner } = setup();
    const a = combiner.add('a', 1, never(), Infinity);
    const b = combiner.add('b', 7, never(), Infinity);
    expect(table.sent.map((s) => s.name)).toEqual(['a', 'b']);
    expect(combiner.active).toBe(2);
    await table.drain();
    expect([await a, await b]).toEqual([1, 7]);
    // Nothing is kept per name once it is idle: many one-off names do not accumulate.
    expect(combiner.active).toBe(0);
  });

  it('never puts more than maxBatch callers in one statement', async () => {
    const { table, combiner } = setup(3);
    const all = Array.from({ length: 8 }, () => combiner.add('c', 1, never(), Infinity));
    await table.drain();
    expect(table.sizes()).toEqual([1, 3, 3, 1]);
    expect((await Promise.all(all)).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a caller that aborts while queued leaves its batch and is not applied', async () => {
    const { table, combiner, events } = setup();
    const lead = combiner.add('c', 1, never(), Infinity);
    const leaving = new AbortController();
    const gone = combiner.add('c', 100, leaving.signal, Infinity);
    const stays = combiner.add('c', 1, never(), Infinity);
    const reason = new Error('deadline');
    leaving.abort(reason);
    await expect(gone).rejects.toBe(reason);
    expect(combiner.waiting).toBe(1);
    expect(events.withdrawn).toBe(1);
    await table.drain();
    expect([await lead, await stays]).toEqual([1, 2]);
    expect(table.sent.map((b) => b.total)).toEqual([1, 1]);
    expect(table.values.get('c')).toBe(2);
  });

  it('an already aborted caller is refused without touching the queue', async () => {
    const { table, combiner } = setup();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(combiner.add('c', 1, controller.signal, Infinity)).rejects.toThrow('gone');
    expect(table.sent).toHaveLength(0);
    expect(combiner.waiting).toBe(0);
  });

  it('a caller that aborts after its statement was sent stops waiting; the statement goes on and counts it', async () => {
    const { table, combiner, events } = setup();
    const leaving = new AbortController();
    const gone = combiner.add('c', 5, leaving.signal, Infinity);
    const stays = combiner.add('c', 1, never(), Infinity);
    await table.release(); // the lone first statement for `gone`; `stays` is queued
    expect(await gone).toBe(5);
    const late = new AbortController();
    const lateCaller = combiner.add('c', 10, late.signal, Infinity);
    const third = combiner.add('c', 1, never(), Infinity);
    await table.release(); // sends [late, third] as the statement after `stays`'s
    expect(table.sizes()).toEqual([1, 1, 2]);
    late.abort(new Error('client went away'));
    await expect(lateCaller).rejects.toThrow('client went away');
    expect(table.sent[2]?.signal.aborted).toBe(false);
    await table.drain();
    expect(await stays).toBe(6);
    expect(await third).toBe(17);
    expect(table.values.get('c')).toBe(17);
    expect(events.withdrawn).toBe(0);
  });

  it('a failed statement fails every caller of its batch with the same error, and the next batch runs', async () => {
    const { table, combiner } = setup();
    const lead = combiner.add('c', 1, never(), Infinity);
    const batch = Array.from({ length: 5 }, () => combiner.add('c', 1, never(), Infinity));
    await table.release();
    expect(await lead).toBe(1);
    const failure = new Error('trigger said no');
    table.failWith = failure;
    const after = combiner.add('c', 1, never(), Infinity);
    await table.release();
    const outcomes = await Promise.allSettled(batch);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o))).toEqual(
      Array(5).fill(failure),
    );
    table.failWith = undefined;
    await table.drain();
    expect(await after).toBe(2);
  });

  it('a batch whose total leaves the range retries its callers one by one: only the step that does not fit fails', async () => {
    const { table, combiner } = setup();
    table.values.set('edge', MAX - 10);
    const lead = combiner.add('edge', 1, never(), Infinity);
    const steps = [4, 8, 3, 2];
    const batch = steps.map((by) => combiner.add('edge', by, never(), Infinity));
    await table.drain();
    expect(await lead).toBe(MAX - 9);
    const outcomes = await Promise.allSettled(batch);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'out of range'))).toEqual([
      MAX - 5,
      'out of range',
      MAX - 2,
      MAX,
    ]);
    expect(table.sizes()).toEqual([1, 4, 1, 1, 1, 1]);
    expect(table.values.get('edge')).toBe(MAX);
  });

  it.each([
    ['near the top', MAX - 3, [5, -10], [MAX - 8, MAX - 13]],
    ['near the bottom', -MAX + 3, [-5, 10], [-MAX + 8, -MAX + 13]],
  ])(
    'mixed signs %s: answers stay in range (steps toward zero first)',
    async (_label, start, steps, expected) => {
      const { table, combiner } = setup();
      table.values.set('c', start);
      const lead = combiner.add('c', 0, never(), Infinity);
      const batch = steps.map((by) => combiner.add('c', by, never(), Infinity));
      await table.drain();
      expect(await lead).toBe(start);
      // In arrival order the first answer would be start + steps[0], outside ±MAX.
      expect(await Promise.all(batch)).toEqual(expected);
    },
  );

  it('cancels a sent statement only once every caller of it has left, and says how long to wait', async () => {
    const { table, combiner } = setup();
    const lead = combiner.add('c', 1, never(), Infinity);
    const first = new AbortController();
    const second = new AbortController();
    const a = combiner.add('c', 1, first.signal, 1_000_100);
    const b = combiner.add('c', 1, second.signal, 1_000_500);
    await table.release();
    expect(await lead).toBe(1);
    const batch = table.sent[1] as IncrementBatch;
    expect(batch.deadline).toBe(1_000_500);
    first.abort(new Error('deadline'));
    await expect(a).rejects.toThrow('deadline');
    expect(batch.signal.aborted).toBe(false);
    second.abort(new Error('client went away'));
    await expect(b).rejects.toThrow('client went away');
    expect(batch.signal.aborted).toBe(true);
    expect(table.sent[0]?.signal.aborted).toBe(false);
  });
});
