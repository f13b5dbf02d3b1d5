import pg from 'pg';
import { IdempotencyKeySweeper } from '../../src/items/idempotency-key.sweeper.js';
import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

// An expired key is taken over by a new create (idempotent-create.transaction.ts) while another
// replica's sweep, which chose it as expired, waits for its row. The sweep's DELETE matched rows
// by key alone from a subquery's snapshot: once the takeover committed, PostgreSQL re-checked
// only that, and deleted the key just renewed. The create had answered 201; its retry found no
// key and made a second item.
describe('an expired Idempotency-Key taken over during another replica’s sweep', () => {
  const writer = `rampart-sweep-race-a-${process.pid}`;
  const sweeperApp = `rampart-sweep-race-b-${process.pid}`;
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    const env = { DATABASE_URL: db.url, ACCESS_LOG_ENABLED: 'false', REQUEST_TIMEOUT_MS: '30000' };
    [a, b] = await Promise.all([
      startTestApp({ ...env, DB_APPLICATION_NAME: writer }),
      startTestApp({ ...env, DB_APPLICATION_NAME: sweeperApp }),
    ]);
    locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined);
    await locker?.end();
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  const create = async (key: string, name: string) => {
    const res = await fetch(`${a.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ name }),
    });
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed'),
      item: await json(res),
    };
  };

  const waitingOnLock = async (application: string): Promise<number> =>
    (await lockWaiters(db.url, { application })).length;

  it('keeps the renewed key: a retry of the create replays its item, no second item is made', async () => {
    const key = `race-${Date.now()}`;
    expect((await create(key, 'before')).status).toBe(201);
    await adminQuery(
      `UPDATE item_idempotency_keys
       SET created_at = now() - ($2::bigint + 1000) * interval '1 millisecond' WHERE key = $1`,
      [key, a.config.IDEMPOTENCY_KEY_TTL_MS],
      db.url,
    );

    // The key's row is held so the takeover queues on it first and the sweep after it.
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM item_idempotency_keys WHERE key = $1 FOR UPDATE', [key]);
    const takeover = create(key, 'after');
    await eventually(async () => (await waitingOnLock(writer)) === 1, 10_000);
    const sweep = b.app.get(IdempotencyKeySweeper).sweep();
    await eventually(async () => (await waitingOnLock(sweeperApp)) === 1, 10_000);
    await locker.query('COMMIT');

    const first = await takeover;
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    await sweep;

    const retry = await create(key, 'after');
    expect({
      status: retry.status,
      replayed: retry.replayed,
      id: retry.item.id as JsonBody,
    }).toEqual({ status: 201, replayed: 'true', id: first.item.id });
    const [made] = await adminQuery<{ n: number }>(
      "SELECT count(*)::int AS n FROM items WHERE name = 'after'",
      [],
      db.url,
    );
    expect(made?.n).toBe(1);
  });
});
