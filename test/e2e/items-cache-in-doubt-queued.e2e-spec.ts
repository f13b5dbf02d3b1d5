import pg from 'pg';
import { DatabaseService } from '../../src/database/database.service.js';
import { AdminClient } from '../support/admin-client.js';
import { createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { json } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually, until } from '../support/wait.js';

/**
 * A PATCH whose client left while it waited for a pool connection (all of them held) never
 * reached the database: nothing of it can commit later, so it is not a write of unknown outcome.
 * It was remembered as one all the same (its request's signal had aborted), and dropped from
 * every replica's cache once the database answered again. The write it waited behind, whose
 * client left while its UPDATE waited on a row lock, is in doubt, and is settled so. A real
 * PostgreSQL (the machine's, a database of the test's own) and a pool of one.
 */
describe('an item write cancelled while it waited for a pool connection', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: AdminClient;
  let database: DatabaseService;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    t = await startTestApp({
      DATABASE_URL: db.url,
      DB_POOL_MAX: '1',
      // The queued write waits until its client leaves, not for a bound of the pool's own.
      DB_POOL_ACQUIRE_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '60000',
    });
    admin = new AdminClient(() => t.adminUrl);
    database = t.app.get(DatabaseService);
    locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined);
    await locker?.end();
    await t?.close();
    await db?.drop();
  });

  const metric = async (name: string, labels: Record<string, string> = {}) =>
    (await admin.metric(name, labels)) ?? 0;

  async function createItem(name: string): Promise<string> {
    const res = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    return (await json(res)).id as string;
  }

  /** A PATCH whose client gives up when `gone` aborts; resolves with the abort's error. */
  const patchUntil = (id: string, gone: AbortSignal) =>
    fetch(`${t.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '*' },
      body: '{"name":"v2"}',
      signal: gone,
    }).catch((error: unknown) => error);

  it('is not in doubt; the write holding the connection, cancelled under its statement, is', async () => {
    const [held, queued] = [await createItem('held'), await createItem('queued')];
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM items WHERE id = $1 FOR UPDATE', [held]);

    // The pool's one connection: its UPDATE sent, waiting on the row lock.
    const holderGone = new AbortController();
    const holding = patchUntil(held, holderGone.signal);
    await eventually(async () => (await lockWaiters(db.url)).length === 1, 10_000);

    const waiterGone = new AbortController();
    const waiting = patchUntil(queued, waiterGone.signal);
    await until(() => database.stats().waiting === 1, 10_000);
    waiterGone.abort();
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    // The service saw it leave the queue; its failure ran to the end in the same turn.
    await until(() => database.stats().waiting === 0, 10_000);
    expect(await metric('items_cache_writes_in_doubt')).toBe(0);

    // The holder's client leaves too: its UPDATE was sent, and its outcome is unknown to it.
    holderGone.abort();
    expect(await holding).toMatchObject({ name: 'AbortError' });
    // Settled once the database answers (the lock still held: the cancel ended the UPDATE), its
    // id alone.
    const settled = () => metric('items_cache_invalidations_total', { source: 'in_doubt' });
    await eventually(async () => (await settled()) > 0, 20_000);
    expect(await metric('items_cache_writes_in_doubt')).toBe(0);
    expect(await settled()).toBe(1);
  }, 60_000);
});
