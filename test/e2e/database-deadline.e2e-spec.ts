import pg from 'pg';
import { appBackends, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const APP_NAME = `rampart-deadline-${process.pid}`;

/** A promise's outcome, readable without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => Object.assign(state, { settled: true, value }));
  return state;
}

describe('waiting for a connection respects the request deadline (real PostgreSQL, pool of 2)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    t = await startTestApp({
      DATABASE_URL: db.url,
      DB_POOL_MAX: '2',
      // A cap far above every wait here: only the deadline and the queue bound decide.
      DB_POOL_ACQUIRE_TIMEOUT_MS: '20000',
      DB_POOL_QUEUE_MAX: '2',
      DB_APPLICATION_NAME: APP_NAME,
      REQUEST_TIMEOUT_MS: '20000',
    });
    for (const name of ['h1', 'h2', 'free']) await increment(name);
    locker = new pg.Client({ connectionString: db.url, application_name: 'rampart-test-locker' });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined);
    await locker?.end();
    await t?.close();
    await db?.drop();
  });

  function increment(name: string, init: RequestInit = {}) {
    return fetch(`${t.baseUrl}/api/counters/${name}/increment`, { method: 'POST', ...init });
  }
  const read = (timeout: string) =>
    fetch(`${t.baseUrl}/api/counters/free`, { headers: { 'x-request-timeout': timeout } });

  async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Both pool connections held by increments blocked on rows an admin transaction locked. */
  async function holdThePool() {
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM counters WHERE name = ANY($1) FOR UPDATE', [['h1', 'h2']]);
    const held = [increment('h1'), increment('h2')].map(track);
    await waitFor(
      async () =>
        (await appBackends(db.name, APP_NAME)).filter(
          (b) => b.state === 'active' && /counters/.test(b.query),
        ).length === 2,
      5_000,
    );
    return held;
  }

  it('300 ms left while every connection is held: 503 DB_POOL_SATURATED at once, before the holders are released; 8 s left: waits and succeeds', async () => {
    const held = await holdThePool();
    // The pool has handed no connection over for longer than the short request's whole
    // budget: that is the evidence the gate refuses on.
    await new Promise((r) => setTimeout(r, 400));

    const started = performance.now();
    const short = await read('300');
    const elapsedMs = performance.now() - started;
    expect(short.status).toBe(503);
    expect(short.headers.get('retry-after')).toBe('1');
    expect(short.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(short)).code).toBe('DB_POOL_SATURATED');
    // Answered while the pool was still held: it did not wait for a connection.
    expect(held.map((h) => h.settled)).toEqual([false, false]);
    process.stdout.write(`time to 503 with 300 ms left: ${elapsedMs.toFixed(1)} ms\n`);

    const patient = track(read('8000'));
    await new Promise((r) => setTimeout(r, 300));
    expect(patient.settled).toBe(false); // queued, not refused
    await locker.query('ROLLBACK');
    await waitFor(async () => patient.settled && held.every((h) => h.settled), 5_000);
    expect(patient.value?.status).toBe(200);
    expect(held.map((h) => h.value?.status)).toEqual([200, 200]);
  });

  it('past DB_POOL_QUEUE_MAX waiters: 503 DB_QUEUE_FULL at once, and the queued ones are still served', async () => {
    const held = await holdThePool();
    const queued = [track(read('8000')), track(read('8000'))];
    await waitFor(async () => {
      const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
      return /^db_client_connection_pending_requests 2$/m.test(text);
    }, 5_000);

    const over = await read('8000');
    expect(over.status).toBe(503);
    expect(over.headers.get('retry-after')).toBe('1');
    expect((await json(over)).code).toBe('DB_QUEUE_FULL');
    expect([...held, ...queued].map((h) => h.settled)).toEqual([false, false, false, false]);

    await locker.query('ROLLBACK');
    await waitFor(async () => [...held, ...queued].every((h) => h.settled), 5_000);
    expect([...held, ...queued].map((h) => h.value?.status)).toEqual([200, 200, 200, 200]);
    const metrics = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^db_client_rejections_total\{code="DB_QUEUE_FULL"\} 1$/m);
    expect(metrics).toMatch(/^db_client_rejections_total\{code="DB_POOL_SATURATED"\} 1$/m);
  });
});
