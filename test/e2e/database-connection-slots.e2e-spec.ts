/**
 * PostgreSQL out of connection slots (max_connections, SQLSTATE 53300 "too many clients") while
 * the pool holds a working connection: the server is up and answering. Counting each refused
 * connect as the server down opened the breaker, and the pool's working connection then sat
 * idle behind 503 DB_CIRCUIT_OPEN; its probe, on a connection of its own, was refused as well,
 * so it stayed open until a slot freed. Now neither counts, and a request whose connect was
 * refused waits for one of the connections the pool has (pg.checkout.ts): before, about a third of
 * them answered 503 DB_UNAVAILABLE with that connection free a millisecond later.
 */
import pg from 'pg';
import { DataLoad, sleep, type DataResult } from '../support/data-load.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';

const MAX_CONNECTIONS = 8;

describe('PostgreSQL with no connection slot to spare', () => {
  let server: ThrowawayPostgres;
  let t: TestApp;
  let close: (() => Promise<void>) | undefined;
  const others: pg.Client[] = [];
  let results: DataResult[];

  beforeAll(async () => {
    ({ server, t, close } = await startOnThrowawayPostgres(
      {
        // Six closed-loop workers on one connection keep the queue standing, and a standing
        // queue lets a caller wait two holds (connection.gate.ts): it would refuse some waits,
        // which is its job, not this test's. An interval longer than the test: it never stands.
        DB_POOL_QUEUE_INTERVAL_MS: '60000',
      },
      async (fresh) => {
        const admin = new pg.Client({ connectionString: fresh.url() });
        await admin.connect();
        await admin.query(`ALTER SYSTEM SET max_connections = ${MAX_CONNECTIONS}`);
        await admin.query('ALTER SYSTEM SET superuser_reserved_connections = 0');
        await admin.end();
        await fresh.stopImmediate();
        await fresh.start();
      },
    ));
    // The app's pool has its connection (start-up used it); other clients take every other slot.
    expect((await fetch(`${t.baseUrl}/api/items?limit=1`)).status).toBe(200);
    for (let i = 0; i < MAX_CONNECTIONS - 1; i++) {
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      others.push(client);
    }
    const load = new DataLoad(t.baseUrl, 6, 'slots');
    await sleep(3_000);
    results = await load.stop();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(others.map((c) => c.end().catch(() => undefined)));
    await close?.();
  });

  it('the pool could not grow: connects were refused with "too many clients"', async () => {
    const refused = new pg.Client({ connectionString: server.url() });
    await expect(refused.connect()).rejects.toMatchObject({ code: '53300' });
  });

  it('the breaker stays closed, and every request is served on the connections the pool has', async () => {
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status >= 300)).toEqual([]);
    const ready = (await (await fetch(`${t.baseUrl}/readyz?verbose`)).json()) as {
      details: { database: { breaker: string } };
    };
    expect(ready.details.database.breaker).toBe('closed');
  });
});
