/**
 * A database replaced by an empty one while the service runs: dropped and created again, a new
 * cluster at the same address, a restore without the schema (src/database/schema.startup.ts,
 * `lost`). Before, every data route answered 500 ("relation "items" does not exist") until the
 * pod was restarted, while /readyz said the database was up.
 */
import pg from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/database/database.migrator.js';
import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

interface Answer {
  path: string;
  status: number;
  type: string | null;
  retryAfter: string | null;
  code?: string;
}

describe('the database dropped and created again, empty, while the service runs', () => {
  let db: TestDatabase;
  let t: TestApp;
  /** Another replica applying the migrations: the schema stays pending while it holds the lock. */
  let holder: pg.Client;
  const answers: Answer[] = [];

  beforeAll(async () => {
    db = await createPostgresDatabase();
    t = await startTestApp({ DATABASE_URL: db.url, CACHE_MAX_ITEMS: '0' });
    expect((await createItem()).status).toBe(201);
    await adminQuery(`DROP DATABASE ${db.name} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${db.name}`);
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await t?.close();
    await db?.drop();
  });

  function createItem(): Promise<Response> {
    return fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'on the new database' }),
    });
  }

  async function call(method: string, path: string): Promise<Answer> {
    const res = await fetch(`${t.baseUrl}${path}`, { method });
    const type = res.headers.get('content-type');
    const body = type?.includes('json') ? await json(res) : await res.text();
    const answer = {
      path,
      status: res.status,
      type,
      retryAfter: res.headers.get('retry-after'),
      code: (body as { code?: string }).code,
    };
    answers.push(answer);
    return answer;
  }

  const databaseEntry = async () =>
    (await json(await fetch(`${t.baseUrl}/readyz?verbose`))).details.database;

  it('data routes answer 503 DB_UNAVAILABLE problem+json, never 500, while the schema is pending; /hello and /readyz 200', async () => {
    // The first calls meet the connections the drop ended (DB_UNAVAILABLE, then the breaker
    // they open, until its probe finds the new database); then the missing tables.
    await eventually(
      async () => {
        await call('POST', '/api/counters/visits/increment');
        await call('GET', '/api/items/1');
        return (await databaseEntry()).schema === 'pending';
      },
      15_000,
      100,
    );
    for (const path of ['/api/items?limit=5', '/api/items/1']) {
      expect(await call('GET', path)).toMatchObject({ status: 503, code: 'DB_UNAVAILABLE' });
    }
    expect(await call('POST', '/api/counters/visits/increment')).toMatchObject({
      status: 503,
      code: 'DB_UNAVAILABLE',
    });
    const unexpected = answers.filter(
      (a) =>
        a.status !== 503 ||
        !a.type?.startsWith('application/problem+json') ||
        a.retryAfter === null ||
        !/^DB_(UNAVAILABLE|CIRCUIT_OPEN)$/.test(a.code ?? ''),
    );
    expect(unexpected).toEqual([]);
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(200);
    const ready = await fetch(`${t.baseUrl}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect((await json(ready)).details.database).toMatchObject({
      status: 'degraded',
      schema: 'pending',
    });
  });

  it('once the lock is let go the migrations apply by themselves: writes succeed, readiness is up', async () => {
    await holder.end();
    await eventually(async () => (await createItem()).status === 201, 15_000, 100);
    expect(await databaseEntry()).toMatchObject({ status: 'up', breaker: 'closed' });
    expect((await databaseEntry()).schema).toBeUndefined();
    const list = await json(await fetch(`${t.baseUrl}/api/items?limit=10`));
    expect(list.items).toHaveLength(1);
    const increment = await fetch(`${t.baseUrl}/api/counters/visits/increment`, {
      method: 'POST',
    });
    expect(await json(increment)).toEqual({ name: 'visits', value: 1 });
  });
});
