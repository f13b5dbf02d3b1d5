import { loadConfig } from '../config/config.loader.js';
import { PgliteDriver } from './pglite.driver.js';

/**
 * PGlite runs its statements on this thread, so the request's deadline timer cannot fire while
 * one runs. A request whose deadline passed meanwhile must still fail with its deadline's reason
 * (a 504), not answer as if in time.
 */
/** Holds the thread for `ms`, as a long statement does. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('PgliteDriver and the request deadline', () => {
  let driver: PgliteDriver;
  beforeAll(async () => {
    driver = await PgliteDriver.open(loadConfig({}));
  }, 60_000);
  afterAll(() => driver?.close());

  /** A request's deadline as request-state.hook.ts sets it: a timer that aborts the signal. */
  const deadlineIn = (ms: number) => {
    const controller = new AbortController();
    const reason = new Error('deadline');
    setTimeout(() => controller.abort(reason), ms);
    return { signal: controller.signal, deadline: Date.now() + ms, reason };
  };

  it('a deadline that passed while the statement held the thread fails the call', async () => {
    const { signal, deadline, reason } = deadlineIn(20);
    const run = driver.run(
      async (session) => {
        const { rows } = await session.query('SELECT 1 AS one');
        busyWait(60); // the statement's work, on this thread: the deadline's timer cannot run
        return rows;
      },
      { signal, deadline, acquireTimeoutMs: 1_000 },
    );
    await expect(run).rejects.toBe(reason);
  });

  it('a call that ends within its deadline answers', async () => {
    const { signal, deadline } = deadlineIn(5_000);
    const result = await driver.run((session) => session.query('SELECT 1 AS one'), {
      signal,
      deadline,
      acquireTimeoutMs: 1_000,
    });
    expect(result.rows).toEqual([{ one: 1 }]);
  });
});

describe('PgliteDriver tells onSent of each statement handed to PGlite', () => {
  let driver: PgliteDriver;
  beforeAll(async () => {
    driver = await PgliteDriver.open(loadConfig({}));
  }, 60_000);
  afterAll(() => driver?.close());

  it('once a statement, and never for a call that left while it waited for the session', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sent = { holder: 0, waiter: 0 };
    const never = new AbortController().signal;
    const holder = driver.run(
      async (session) => {
        await session.query('SELECT 1');
        await session.exec('SELECT 2');
        await held;
      },
      { signal: never, acquireTimeoutMs: 10_000, onSent: () => sent.holder++ },
    );
    const gone = new AbortController();
    const waiter = driver.run((session) => session.query('SELECT 3'), {
      signal: gone.signal,
      acquireTimeoutMs: 10_000,
      onSent: () => sent.waiter++,
    });
    const reason = new Error('client gone');
    gone.abort(reason);
    await expect(waiter).rejects.toBe(reason);
    release();
    await holder;
    expect(sent).toEqual({ holder: 2, waiter: 0 });
  });
});
