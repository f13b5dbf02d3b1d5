import pg from 'pg';
import { AdminClient } from '../support/admin-client.js';
import { CacheReplicas } from '../support/cache-replicas.js';
import { adminQuery, type TestDatabase } from '../support/database.js';
import { createItem, json } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import type { TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

/**
 * A PATCH or DELETE whose deadline (`x-request-timeout`) passed while its statement waited on a
 * row lock: answered 504, its outcome unknown to its client, so in doubt as if the client had
 * left (item-write.invalidation.ts). The cancel reaches the server and ends the statement; the
 * id is remembered until the database has answered again and the settle time has passed
 * (in-doubt.writes.ts), then dropped from both replicas' caches, and a read after that finds
 * what the database holds: the item as it was. A real PostgreSQL (a database of the test's own)
 * and Redis, two replicas on real sockets.
 */
describe('an item write whose request deadline passed while its statement waited', () => {
  let replicas: CacheReplicas;
  let db: TestDatabase;
  let writer: TestApp;
  let other: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    replicas = await CacheReplicas.start({ redis: 'shared' });
    db = replicas.db;
    [writer, other] = await Promise.all([
      replicas.replica({
        // A settle time of 5.8 s (DB_STATEMENT_TIMEOUT_MS plus DB_HEALTH_TIMEOUT_MS, no connection
        // check): long enough to see the id waiting before it is dropped.
        DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS: '0',
        DB_STATEMENT_TIMEOUT_MS: '5000',
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
  });

  const metric = async (app: TestApp, name: string, labels: Record<string, string> = {}) =>
    (await new AdminClient(() => app.adminUrl).metric(name, labels)) ?? 0;
  const read = async (app: TestApp, id: string) => {
    const item = await json(await fetch(`${app.baseUrl}/api/items/${id}`));
    return `${item.name as string}@${item.version as number}`;
  };
  const stored = async (id: string) =>
    (
      await adminQuery<{ name: string; version: number }>(
        'SELECT name, version FROM items WHERE id = $1',
        [id],
        db.url,
      )
    ).map((row) => `${row.name}@${row.version}`);

  it.each([
    ['PATCH', 'UPDATE items', { 'content-type': 'application/json' }, '{"name":"v2"}'],
    ['DELETE', 'DELETE FROM items', {}, undefined],
  ])(
    '%s: 504, the id in doubt until settled, then dropped from both caches; reads find it unchanged',
    async (method, statement, headers, body) => {
      const { id } = await createItem(writer.baseUrl, 'v1');
      // Both replicas hold it now.
      expect([await read(writer, id), await read(other, id)]).toEqual(['v1@1', 'v1@1']);
      const entries = async () => [
        await metric(writer, 'items_cache_entries'),
        await metric(other, 'items_cache_entries'),
      ];
      const misses = async () => [
        await metric(writer, 'items_cache_requests_total', { result: 'miss' }),
        await metric(other, 'items_cache_requests_total', { result: 'miss' }),
      ];
      const [held, writerDropped, otherDropped] = [
        await entries(),
        await metric(writer, 'items_cache_invalidations_total', { source: 'in_doubt' }),
        await metric(other, 'items_cache_invalidations_total', { source: 'remote' }),
      ];

      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM items WHERE id = $1 FOR UPDATE', [id]);
      const writing = fetch(`${writer.baseUrl}/api/items/${id}`, {
        method,
        headers: { ...headers, 'if-match': '*', 'x-request-timeout': '1000' },
        body,
      });
      // Sent, and waiting on the row: its outcome is the server's to decide from here.
      await eventually(
        async () => (await lockWaiters(db.url, { queryStart: statement })).length === 1,
        10_000,
      );

      const answer = await writing;
      expect(answer.status).toBe(504);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(answer)).code).toBe('REQUEST_DEADLINE_EXCEEDED');
      // The cancel ended the statement, the lock still held: it waits no more.
      await eventually(
        async () => (await lockWaiters(db.url, { queryStart: statement })).length === 0,
        5_000,
      );
      // Remembered, not yet settled: both replicas still serve the copy from before.
      await eventually(
        async () => (await metric(writer, 'items_cache_writes_in_doubt')) === 1,
        2_000,
      );
      expect(await metric(writer, 'items_cache_invalidations_total', { source: 'in_doubt' })).toBe(
        writerDropped,
      );
      expect([await read(writer, id), await read(other, id)]).toEqual(['v1@1', 'v1@1']);
      await locker.query('ROLLBACK');

      // Settled: dropped here, then on the other replica.
      await eventually(
        async () =>
          (await metric(writer, 'items_cache_invalidations_total', { source: 'in_doubt' })) ===
          writerDropped + 1,
        20_000,
        200,
      );
      await eventually(
        async () =>
          (await metric(other, 'items_cache_invalidations_total', { source: 'remote' })) ===
          otherDropped + 1,
        10_000,
      );
      expect(await metric(writer, 'items_cache_writes_in_doubt')).toBe(0);
      expect(await entries()).toEqual(held.map((n) => n - 1));

      // The write's real outcome: it never happened, and reads from the database (misses) say so.
      expect(await stored(id)).toEqual(['v1@1']);
      const missed = await misses();
      expect([await read(writer, id), await read(other, id)]).toEqual(['v1@1', 'v1@1']);
      expect(await misses()).toEqual(missed.map((n) => n + 1));
    },
    60_000,
  );
});
