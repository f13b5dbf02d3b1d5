import { concurrencyLimit } from './limit.js';

/** A task that resolves with `value` when its test says so, and reports when it starts. */
function gate<T>(value: T, started: T[]) {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const task = async (): Promise<T> => {
    started.push(value);
    await opened;
    return value;
  };
  return { task, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrencyLimit', () => {
  it('runs at most `limit` tasks at once, the rest in the order queued, each with its own result', async () => {
    const limited = concurrencyLimit(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map((i) => gate(i, started));
    const results = gates.map((g) => limited(g.task));
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[3]!.open();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
  });

  it('passes a failure to its own caller and goes on with the next task', async () => {
    const limited = concurrencyLimit(1);
    const failing = limited(() => {
      throw new Error('no helm');
    });
    const after = limited(async () => 'next');
    await expect(failing).rejects.toThrow('no helm');
    await expect(after).resolves.toBe('next');
  });
});
