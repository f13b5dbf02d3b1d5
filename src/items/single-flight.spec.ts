import { SingleFlight } from './single-flight.js';

const never = () => new AbortController().signal;

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('runs one load for concurrent callers of a key and gives all the same result', async () => {
    const flights = new SingleFlight<string, number>();
    const gate = deferred<number>();
    let loads = 0;
    const leaders: boolean[] = [];
    const calls = Array.from({ length: 100 }, () =>
      flights.run(
        'k',
        () => (loads++, gate.promise),
        never(),
        (leader) => leaders.push(leader),
      ),
    );
    gate.resolve(7);
    expect(await Promise.all(calls)).toEqual(Array(100).fill(7));
    expect(loads).toBe(1);
    expect(leaders.filter(Boolean)).toHaveLength(1);
    expect(flights.size).toBe(0);
  });

  it('shares a failure, then lets the next caller try afresh', async () => {
    const flights = new SingleFlight<string, number>();
    const failing = deferred<number>();
    const both = [
      flights.run('k', () => failing.promise, never()),
      flights.run('k', () => failing.promise, never()),
    ];
    failing.reject(new Error('db down'));
    for (const call of both) await expect(call).rejects.toThrow('db down');
    expect(await flights.run('k', async () => 1, never())).toBe(1);
  });

  it('one caller giving up does not cancel the shared load; the last one does', async () => {
    const flights = new SingleFlight<string, number>();
    let loadSignal!: AbortSignal;
    const gate = deferred<number>();
    const impatient = new AbortController();
    const patient = new AbortController();
    const first = flights.run('k', (s) => ((loadSignal = s), gate.promise), impatient.signal);
    const second = flights.run('k', () => gate.promise, patient.signal);
    impatient.abort(new Error('deadline'));
    await expect(first).rejects.toThrow('deadline');
    expect(loadSignal.aborted).toBe(false);
    patient.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    expect(loadSignal.aborted).toBe(true);
    expect(flights.size).toBe(0);
  });

  it('forget(): later callers start a new load while earlier ones keep the old one', async () => {
    const flights = new SingleFlight<string, string>();
    const old = deferred<string>();
    const before = flights.run('k', () => old.promise, never());
    flights.forget('k');
    const after = flights.run('k', async () => 'new', never());
    old.resolve('old');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
  });

  it('forgetAll(): later callers of every key start new loads while earlier ones keep theirs', async () => {
    const flights = new SingleFlight<string, string>();
    const a = deferred<string>();
    const b = deferred<string>();
    const before = [
      flights.run('a', () => a.promise, never()),
      flights.run('b', () => b.promise, never()),
    ];
    flights.forgetAll();
    const after = [
      flights.run('a', async () => 'new a', never()),
      flights.run('b', async () => 'new b', never()),
    ];
    a.resolve('old a');
    b.resolve('old b');
    expect(await Promise.all(before)).toEqual(['old a', 'old b']);
    expect(await Promise.all(after)).toEqual(['new a', 'new b']);
    expect(flights.size).toBe(0);
  });
});
