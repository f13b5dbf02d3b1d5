import { json } from '../support/http.js';
import { createProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

// A pod started while PostgreSQL is away (a rollout during an outage) starts and serves what
// needs no database; its migrations apply in the background once the server answers
// (src/database/schema.startup.ts). Exiting instead put it into CrashLoopBackOff.
describe('PostgreSQL is away when the service starts, then comes back', () => {
  let db: ProxiedDatabase;
  let t: TestApp;
  let strict: TestApp;

  beforeAll(async () => {
    db = await createProxiedDatabase({ away: true });
    const env = { DATABASE_URL: db.proxiedUrl, DB_CONNECT_TIMEOUT_MS: '1000' };
    [t, strict] = await Promise.all([
      startTestApp(env),
      startTestApp({ ...env, READINESS_INCLUDES_DATABASE: 'true' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), strict?.close()]);
    await db?.drop();
  });

  const createItem = (app: TestApp) =>
    fetch(`${app.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'after the outage' }),
    });

  it('away: started; /hello 200; data routes fast 503 DB_UNAVAILABLE problem+json; /readyz 200 degraded, schema pending (503 with READINESS_INCLUDES_DATABASE)', async () => {
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(200);
    for (const path of ['/api/items?limit=5', '/api/counters/visits']) {
      const res = await fetch(`${t.baseUrl}${path}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await json(res)).code).toBe('DB_UNAVAILABLE');
    }
    const write = await createItem(t);
    expect(write.status).toBe(503);

    const ready = await fetch(`${t.baseUrl}/readyz?verbose`);
    expect(ready.status).toBe(200);
    const body = await json(ready);
    expect(body.details.database).toMatchObject({ status: 'degraded', schema: 'pending' });
    expect((await fetch(`${t.baseUrl}/startupz`)).status).toBe(200);
    expect((await fetch(`${strict.baseUrl}/readyz`)).status).toBe(503);
  });

  it('back: the migrations apply by themselves, writes succeed, readiness is up again', async () => {
    await db.proxy.restore();
    await eventually(async () => (await createItem(t)).status === 201, 30_000);
    await eventually(async () => (await fetch(`${strict.baseUrl}/readyz`)).status === 200, 30_000);
    const body = await json(await fetch(`${t.baseUrl}/readyz?verbose`));
    expect(body.details.database.status).toBe('up');
    expect(body.details.database.schema).toBeUndefined();
    expect((await createItem(strict)).status).toBe(201);
    const list = await json(await fetch(`${t.baseUrl}/api/items?limit=10`));
    expect(list.items).toHaveLength(2);
  });
});
