import pg from 'pg';
import { appBackends, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { json } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const APP_NAME = `rampart-pool-${process.pid}`;
const ACQUIRE_TIMEOUT_MS = 600;

describe('database pool bounds and server-side cancellation (real PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    t = await startTestApp({
      DATABASE_URL: db.url,
      DB_POOL_MAX: '2',
      DB_POOL_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      DB_APPLICATION_NAME: APP_NAME,
      REQUEST_TIMEOUT_MS: '15000',
    });
    for (const name of ['l1', 'l2', 'l3']) await increment(name);
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

  async function lock(...names: string[]) {
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM counters WHERE name = ANY($1) FOR UPDATE', [names]);
  }

  async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return Date.now() - started;
  }

  // The app's increments blocked on the locker's rows; one cancelled on the server waits no more.
  const incrementsWaiting = () =>
    lockWaiters(db.url, { application: APP_NAME, queryStart: 'INSERT INTO counters' });

  it('DB_POOL_MAX=2, both connections blocked on locked rows: a third request with time to spare gets 503 DB_POOL_TIMEOUT at the acquire cap, never a third connection', async () => {
    await lock('l1', 'l2');
    const blocked = [increment('l1'), increment('l2')];
    await waitFor(async () => (await incrementsWaiting()).length === 2, 5_000);

    let maxConnections = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxConnections = Math.max(maxConnections, (await appBackends(db.name, APP_NAME)).length);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    const started = Date.now();
    const third = await fetch(`${t.baseUrl}/api/counters/l3`);
    const elapsed = Date.now() - started;
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(third.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(third)).code).toBe('DB_POOL_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(ACQUIRE_TIMEOUT_MS + 1_000);

    // A busy pool is not a broken database: readiness stays up and shows the pool.
    const ready = await fetch(`${t.baseUrl}/readyz?verbose`);
    expect(ready.status).toBe(200);
    const database = (await json(ready)).details.database;
    expect(database).toMatchObject({ status: 'up', breaker: 'closed' });
    expect(database.pool).toMatchObject({ max: 2, total: 2, idle: 0 });

    await locker.query('ROLLBACK');
    const results = await Promise.all(blocked);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    sampling = false;
    await sampler;
    expect(maxConnections).toBe(2);
    expect((await appBackends(db.name, APP_NAME)).length).toBeLessThanOrEqual(2);
  });

  it('x-request-timeout: 200ms while blocked on a locked row → 504, and the statement is cancelled on the server within a second', async () => {
    await lock('l1');
    const started = Date.now();
    const res = await increment('l1', { headers: { 'x-request-timeout': '200ms' } });
    expect(res.status).toBe(504);
    expect((await json(res)).code).toBe('REQUEST_DEADLINE_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(1_000);
    const answeredAt = Date.now();
    await waitFor(async () => (await incrementsWaiting()).length === 0, 1_000);
    expect(Date.now() - answeredAt).toBeLessThan(1_000);
    await locker.query('ROLLBACK');
    // The cancelled increment never happened; the pool still works.
    expect((await json(await fetch(`${t.baseUrl}/api/counters/l1`))).value).toBe(2);
  });

  it('a client that disconnects while its statement waits gets the statement cancelled too', async () => {
    await lock('l2');
    const controller = new AbortController();
    const pending = increment('l2', { signal: controller.signal }).catch((e: unknown) => e);
    await waitFor(async () => (await incrementsWaiting()).length === 1, 5_000);
    controller.abort();
    expect(await pending).toHaveProperty('name', 'AbortError');
    await waitFor(async () => (await incrementsWaiting()).length === 0, 1_000);
    await locker.query('ROLLBACK');
    expect((await json(await fetch(`${t.baseUrl}/api/counters/l2`))).value).toBe(2);
  });
});
