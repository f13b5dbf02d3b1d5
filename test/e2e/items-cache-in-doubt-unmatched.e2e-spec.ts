import pg from 'pg';
import { DatabaseService } from '../../src/database/database.service.js';
import { AdminClient } from '../support/admin-client.js';
import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { createItem } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually, until } from '../support/wait.js';

/**
 * A PATCH or DELETE whose statement matched no row (the item had moved past the If-Match
 * version) changed nothing, and its client heard nothing wrong about that: only the lookup of
 * the version that followed, for the 412, was cancelled when the client left. Its statement had
 * been sent, so it was remembered as a write of unknown outcome, and dropped from every
 * replica's cache once the database answered again, though the database had already answered
 * it: no row. The lookup is held on a table lock taken between the two statements: the write
 * waits on a row lock another transaction holds while it moves the item on, and a second
 * transaction's ACCESS EXCLUSIVE request queues behind the write, so it is granted as the write
 * ends, before the lookup asks. A real PostgreSQL (the machine's, a database of the test's own).
 */
describe('an item write that matched no row, whose version lookup was cancelled', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: AdminClient;
  let database: DatabaseService;
  const lockers: pg.Client[] = [];

  beforeAll(async () => {
    db = await createPostgresDatabase();
    t = await startTestApp({
      DATABASE_URL: db.url,
      REQUEST_TIMEOUT_MS: '30000',
      // A write wrongly remembered stays reported for the whole test: settled no sooner than
      // DB_STATEMENT_TIMEOUT_MS plus DB_HEALTH_TIMEOUT_MS after the database answers
      // (in-doubt.writes.ts), with no connection check to bound it first.
      DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS: '0',
      DB_STATEMENT_TIMEOUT_MS: '20000',
      DB_QUERY_TIMEOUT_MS: '25000',
    });
    admin = new AdminClient(() => t.adminUrl);
    database = t.app.get(DatabaseService);
  });
  // Ended, not rolled back: a ROLLBACK would queue behind a statement still waiting on a lock.
  // The server lets go of what a session held as it ends.
  afterEach(async () => {
    await Promise.all(lockers.splice(0).map((locker) => locker.end()));
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const metric = async (name: string, labels: Record<string, string> = {}) =>
    (await admin.metric(name, labels)) ?? 0;
  const locker = async () => {
    const client = new pg.Client({ connectionString: db.url, statement_timeout: 20_000 });
    lockers.push(client);
    await client.connect();
    return client;
  };
  const waitingOn = async (queryStart: string) =>
    (await lockWaiters(db.url, { queryStart })).length;

  it.each([
    ['PATCH', 'UPDATE items'],
    ['DELETE', 'DELETE FROM items'],
  ])(
    '%s: not in doubt, the database having answered that it changed nothing',
    async (method, write) => {
      const { id, etag } = await createItem(t.baseUrl, 'v1');
      const [rowLocker, tableLocker] = [await locker(), await locker()];

      // Another writer moves the item on; the request's statement waits for its row.
      await rowLocker.query('BEGIN');
      await rowLocker.query(
        `UPDATE items SET name = 'moved', version = version + 1 WHERE id = $1`,
        [id],
      );
      const gone = new AbortController();
      const writing = fetch(`${t.baseUrl}/api/items/${id}`, {
        method,
        ...(method === 'PATCH'
          ? {
              headers: { 'content-type': 'application/json', 'if-match': etag },
              body: '{"name":"v2"}',
            }
          : { headers: { 'if-match': etag } }),
        signal: gone.signal,
      }).catch((error: unknown) => error);
      await eventually(async () => (await waitingOn(write)) === 1, 10_000);

      // Queued behind the statement's table lock: granted as it ends, before the lookup after it.
      await tableLocker.query('BEGIN');
      const tableLocked = tableLocker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      await eventually(async () => (await waitingOn('LOCK TABLE items')) === 1, 10_000);
      await rowLocker.query('COMMIT');
      await tableLocked;
      // The statement answered, no row (the item is at the next version); the lookup waits.
      await eventually(async () => (await waitingOn('SELECT version')) === 1, 10_000);

      gone.abort();
      expect(await writing).toMatchObject({ name: 'AbortError' });
      // The lookup's connection, its statement cancelled, is given up: its failure has run to the
      // end, in the same turn.
      await until(() => database.stats().total === database.stats().idle, 10_000);
      expect(await metric('items_cache_writes_in_doubt')).toBe(0);

      await tableLocker.query('ROLLBACK');
      const [stored] = await adminQuery<{ name: string }>(
        'SELECT name FROM items WHERE id = $1',
        [id],
        db.url,
      );
      expect(stored?.name).toBe('moved');
    },
    60_000,
  );
});
