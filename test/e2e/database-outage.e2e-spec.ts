import { createPostgresDatabase, PostgresProxy, type TestDatabase } from '../support/database.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DEADLINE_MS = 3_000;

describe('PostgreSQL goes away while the service runs, then comes back', () => {
  let db: TestDatabase;
  let proxy: PostgresProxy;
  let t: TestApp;
  let cachedId: string;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    // The app reaches PostgreSQL only through this proxy; cutting it is a real socket failure
    // for the app, while the machine's server (shared with other suites) keeps running.
    proxy = new PostgresProxy();
    await proxy.start();
    t = await startTestApp({
      DATABASE_URL: proxy.urlFor(db.name),
      REQUEST_TIMEOUT_MS: String(DEADLINE_MS),
      DB_CONNECT_TIMEOUT_MS: '1000',
    });
    const created = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cached before the outage' }),
    });
    cachedId = (await json(created)).id;
    expect((await fetch(`${t.baseUrl}/api/items/${cachedId}`)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.cut().catch(() => undefined);
    await db?.drop();
  });

  const calls: Array<[string, string, unknown?]> = [
    ['GET', '/api/counters/visits'],
    ['POST', '/api/counters/visits/increment'],
    ['GET', '/api/items/424242'],
    ['GET', '/api/items?limit=5'],
    ['POST', '/api/items', { name: 'during the outage' }],
  ];

  function call([method, path, body]: [string, string, unknown?]) {
    return fetch(`${t.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  it('down: every database call → 503 DB_UNAVAILABLE well within the deadline; /readyz 503, /healthz 200', async () => {
    await proxy.cut();
    for (const c of calls) {
      const started = Date.now();
      const res = await call(c);
      const elapsed = Date.now() - started;
      expect({ call: c[1], status: res.status }).toEqual({ call: c[1], status: 503 });
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await json(res)).code).toBe('DB_UNAVAILABLE');
      expect(elapsed).toBeLessThan(DEADLINE_MS);
    }
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks.database.status).toBe('down');
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    // What is cached is still served: reads degrade, they do not vanish.
    expect((await fetch(`${t.baseUrl}/api/items/${cachedId}`)).status).toBe(200);
  });

  it('back: without a restart, readiness returns and every call succeeds', async () => {
    await proxy.restore();
    const until = Date.now() + 5_000;
    while ((await fetch(`${t.baseUrl}/readyz`)).status !== 200) {
      if (Date.now() > until) throw new Error('readiness did not return');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const c of calls) {
      const res = await call(c);
      expect({ call: c[1], status: res.status }).toEqual({
        call: c[1],
        status:
          c[1] === '/api/items/424242' ? 404 : c[0] === 'POST' && c[1] === '/api/items' ? 201 : 200,
      });
    }
  });
});
