import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { IdempotencyKeySweeper } from '../../src/items/idempotency-key.sweeper.js';
import { createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { lockWaiters } from '../support/lock-waits.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

/** The statement's bounds, the server's and the client's: far longer than a stop may take. */
const STATEMENT_TIMEOUT_MS = 30_000;
const QUERY_TIMEOUT_MS = 31_000;

// The idempotency-key sweep runs outside any request, so no request's signal cancels its
// statement. Before, shutdown only kept the next sweep from starting: a sweep blocked in the
// database (here on a table lock; on a frozen server the same) held the pool's end, shutdown step
// 5, until DB_QUERY_TIMEOUT_MS.
describe('a sweep of expired idempotency keys stops with the app', () => {
  const name = `rampart-sweeper-${process.pid}`;
  let db: TestDatabase;
  let t: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    t = await startTestApp({
      DATABASE_URL: db.url,
      DB_APPLICATION_NAME: name,
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      ACCESS_LOG_ENABLED: 'false',
    });
    locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await t?.close();
    await db?.drop();
  });

  const sweepsWaiting = async (): Promise<number> =>
    (await lockWaiters(db.url, { application: name, queryStart: 'DELETE' })).length;

  it('a sweep waiting in the database is cancelled at once when the module is destroyed', async () => {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE item_idempotency_keys IN ACCESS EXCLUSIVE MODE');
    try {
      const sweeper = t.app.get(IdempotencyKeySweeper);
      const sweep = sweeper.sweep();
      await eventually(async () => (await sweepsWaiting()) === 1, 10_000);

      sweeper.onModuleDestroy();
      const outcome = await Promise.race([
        sweep.then((deleted) => ({ deleted })),
        sleep(QUERY_TIMEOUT_MS / 3).then(() => 'still waiting'),
      ]);
      expect(outcome).toEqual({ deleted: 0 });
      // Cancelled on the server too, not only given up on by the client.
      await eventually(async () => (await sweepsWaiting()) === 0, 10_000);
    } finally {
      await locker.query('COMMIT');
    }
  });
});
