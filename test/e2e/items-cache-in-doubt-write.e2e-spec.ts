import pg from 'pg';
import { CacheReplicas } from '../support/cache-replicas.js';
import { CancelHoldingProxy } from '../support/cancel-holding-proxy.js';
import { adminQuery, type TestDatabase } from '../support/database.js';
import { createItem, json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { eventually, until } from '../support/wait.js';

/** A series' value from the admin /metrics text (0 when absent). */
async function metric(app: TestApp, series: string): Promise<number> {
  const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * A PATCH whose client never learned its outcome: its deadline passed while the UPDATE waited
 * on a row lock, the cancel was lost on its way (the proxy keeps it), and the connection was
 * destroyed after the cancel's grace. The server, which cannot see the closed connection
 * (DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS=0), commits the UPDATE once the lock is let go. No
 * invalidation was sent, and both replicas served the old version until CACHE_TTL_MS (10
 * minutes here), Redis up. The id is remembered instead, and dropped on both once the database
 * has answered and the write can no longer commit (DB_STATEMENT_TIMEOUT_MS, plus
 * DB_HEALTH_TIMEOUT_MS, after that answer).
 */
describe('an item write whose outcome its client never learned', () => {
  let replicas: CacheReplicas;
  let db: TestDatabase;
  const proxy = new CancelHoldingProxy();
  let writer: TestApp;
  let other: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    replicas = await CacheReplicas.start({ redis: 'shared' });
    db = replicas.db;
    await proxy.start();
    [writer, other] = await Promise.all([
      replicas.replica({
        DATABASE_URL: proxy.urlFor(db.name),
        DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS: '0',
        DB_STATEMENT_TIMEOUT_MS: '6000',
        DB_QUERY_TIMEOUT_MS: '10000',
      }),
      replicas.replica(),
    ]);
    locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined);
    await locker?.end();
    await replicas?.close();
    await proxy.close();
  });

  const read = async (app: TestApp, id: string) =>
    (await json(await fetch(`${app.baseUrl}/api/items/${id}`))).name as string;

  it('is dropped from every replica’s cache once the database has settled it', async () => {
    const { id } = await createItem(writer.baseUrl, 'v1');
    expect([await read(writer, id), await read(other, id)]).toEqual(['v1', 'v1']);

    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM items WHERE id = $1 FOR UPDATE', [id]);
    const patched = await fetch(`${writer.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        'if-match': '*',
        'x-request-timeout': '1000',
      },
      body: '{"name":"v2"}',
    });
    expect(patched.status).toBe(504);
    await until(() => proxy.cancels === 1, 10_000);
    // The cancel's grace (DB_HEALTH_TIMEOUT_MS) has passed unanswered: the connection is destroyed.
    await eventually(
      async () => (await metric(writer, 'db_client_failures_total{code="DB_QUERY_TIMEOUT"}')) === 1,
      10_000,
    );
    // The UPDATE was still waiting on the server: it commits now, after its client's 504.
    await locker.query('COMMIT');
    await eventually(
      async () =>
        (
          await adminQuery<{ name: string }>('SELECT name FROM items WHERE id = $1', [id], db.url)
        )[0]?.name === 'v2',
      10_000,
    );

    await eventually(
      async () => (await read(writer, id)) === 'v2' && (await read(other, id)) === 'v2',
      20_000,
      200,
    );
    expect(await metric(writer, 'items_cache_writes_in_doubt')).toBe(0);
    expect(await metric(writer, 'items_cache_invalidations_total{source="in_doubt"}')).toBe(1);
  }, 60_000);
});
