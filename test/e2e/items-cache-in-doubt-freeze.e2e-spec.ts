import pg from 'pg';
import { AdminClient } from '../support/admin-client.js';
import { CancelHoldingProxy } from '../support/cancel-holding-proxy.js';
import { adminQuery, REDIS_URL } from '../support/database.js';
import { createItem, json } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually } from '../support/wait.js';

/**
 * items-cache-in-doubt-write.e2e-spec.ts, with the server frozen (SIGSTOP on a PostgreSQL of the
 * test's own) while the PATCH's UPDATE waits on a row lock: its deadline passes, the cancel is
 * lost on its way (the proxy keeps it), the connection is destroyed after the cancel's grace,
 * and the write is remembered as in doubt, reported while the server stays silent (nothing can
 * settle it then). Once the server runs again (SIGCONT) the UPDATE, which it cannot see was
 * abandoned (DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS=0), commits when the lock is let go; the
 * database answers again, and DB_STATEMENT_TIMEOUT_MS plus DB_HEALTH_TIMEOUT_MS later the id is
 * dropped from both replicas' caches, which served the version from before it.
 */
describe('an item write in flight when its server froze', () => {
  let server: ThrowawayPostgres;
  let proxy: CancelHoldingProxy | undefined;
  let writer: TestApp;
  let other: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    server = await ThrowawayPostgres.create();
    proxy = new CancelHoldingProxy({ host: '127.0.0.1', port: server.port });
    await proxy.start();
    const common = { REDIS_URL, CACHE_TTL_MS: '600000', REQUEST_TIMEOUT_MS: '30000' };
    writer = await startTestApp({
      ...common,
      DATABASE_URL: proxy.urlFor('postgres'),
      DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS: '0',
      // The UPDATE must still be running when the lock is let go, after the freeze.
      DB_STATEMENT_TIMEOUT_MS: '6000',
      DB_QUERY_TIMEOUT_MS: '10000',
    });
    other = await startTestApp({ ...common, DATABASE_URL: server.url() });
    locker = new pg.Client({ connectionString: server.url() });
    await locker.connect();
  }, 60_000);
  afterAll(async () => {
    await server?.signalAll('SIGCONT').catch(() => undefined);
    await locker?.query('ROLLBACK').catch(() => undefined);
    await locker?.end().catch(() => undefined);
    await Promise.all([writer?.close(), other?.close()]);
    await proxy?.close();
    await server?.destroy();
  }, 60_000);

  const metric = async (app: TestApp, name: string, labels: Record<string, string> = {}) =>
    (await new AdminClient(() => app.adminUrl).metric(name, labels)) ?? 0;
  const read = async (app: TestApp, id: string) =>
    (await json(await fetch(`${app.baseUrl}/api/items/${id}`))).name as string;

  it('is reported while the server is frozen, and dropped from every replica once it answers again', async () => {
    const { id } = await createItem(writer.baseUrl, 'v1');
    expect([await read(writer, id), await read(other, id)]).toEqual(['v1', 'v1']);

    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM items WHERE id = $1 FOR UPDATE', [id]);
    const patched = fetch(`${writer.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '*', 'x-request-timeout': '1000' },
      body: '{"name":"v2"}',
    });
    // The UPDATE has reached the server and waits on the lock: in flight.
    await eventually(async () => (await lockWaiters(server.url())).length === 1, 10_000);

    await server.signalAll('SIGSTOP');
    try {
      expect((await patched).status).toBe(504);
      // The cancel's grace passed unanswered, the connection was destroyed: reported in doubt.
      await eventually(
        async () => (await metric(writer, 'items_cache_writes_in_doubt')) === 1,
        10_000,
      );
      expect(await metric(writer, 'items_cache_invalidations_total', { source: 'in_doubt' })).toBe(
        0,
      );
      // Both replicas still serve their copy from before the write.
      expect([await read(writer, id), await read(other, id)]).toEqual(['v1', 'v1']);
    } finally {
      await server.signalAll('SIGCONT');
    }

    // The UPDATE still waits on the server: it commits now, after its client's 504.
    await locker.query('COMMIT');
    const stored = async () =>
      (
        await adminQuery<{ name: string }>(
          'SELECT name FROM items WHERE id = $1',
          [id],
          server.url(),
        )
      )[0]?.name;
    await eventually(async () => (await stored()) === 'v2', 10_000);

    // Settled once the database answered again: dropped here, then on the other replica.
    await eventually(
      async () =>
        (await metric(writer, 'items_cache_invalidations_total', { source: 'in_doubt' })) === 1,
      30_000,
      200,
    );
    await eventually(
      async () =>
        (await metric(other, 'items_cache_invalidations_total', { source: 'remote' })) === 1,
      10_000,
    );
    expect(await metric(writer, 'items_cache_writes_in_doubt')).toBe(0);
    expect([await read(writer, id), await read(other, id)]).toEqual(['v2', 'v2']);
  }, 90_000);
});
