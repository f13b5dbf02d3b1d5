import { json } from '../support/http.js';
import { createProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DEADLINE_MS = 3_000;

describe('PostgreSQL goes away while the service runs, then comes back', () => {
  let db: ProxiedDatabase;
  let t: TestApp;
  let cachedId: string;

  beforeAll(async () => {
    // The app reaches PostgreSQL only through a proxy the test cuts (proxied-database.ts).
    db = await createProxiedDatabase();
    t = await startTestApp({
      DATABASE_URL: db.proxiedUrl,
      REQUEST_TIMEOUT_MS: String(DEADLINE_MS),
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_BREAKER_THRESHOLD: '3',
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

  it('down: database calls → fast 503 (DB_UNAVAILABLE, then DB_CIRCUIT_OPEN once the breaker opens) well within the deadline; /readyz stays 200 and shows the database degraded; /healthz 200', async () => {
    await db.proxy.cut();
    const codes: string[] = [];
    for (const c of [...calls, ...calls]) {
      const started = Date.now();
      const res = await call(c);
      const elapsed = Date.now() - started;
      expect({ call: c[1], status: res.status }).toEqual({ call: c[1], status: 503 });
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      codes.push((await json(res)).code);
      expect(elapsed).toBeLessThan(DEADLINE_MS);
    }
    // DB_BREAKER_THRESHOLD (3) refused connections open the breaker; the rest never try.
    expect(codes.slice(0, 3)).toEqual(['DB_UNAVAILABLE', 'DB_UNAVAILABLE', 'DB_UNAVAILABLE']);
    expect(new Set(codes.slice(3))).toEqual(new Set(['DB_CIRCUIT_OPEN']));

    // A shared database being away is no reason to take this pod out of the Service.
    const ready = await fetch(`${t.baseUrl}/readyz?verbose`);
    expect(ready.status).toBe(200);
    const body = await json(ready);
    expect(body.status).toBe('degraded');
    expect(body.details.lifecycle.status).toBe('up');
    expect(body.details.database).toMatchObject({
      status: 'degraded',
      breaker: 'open',
      cause: 'DB_UNAVAILABLE',
    });
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(200);
    // What is cached is still served: reads degrade, they do not vanish.
    expect((await fetch(`${t.baseUrl}/api/items/${cachedId}`)).status).toBe(200);
    const metrics = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^db_client_circuit_state 1$/m);
  });

  it('back: without a restart, the breaker probe closes it and every call succeeds', async () => {
    await db.proxy.restore();
    const until = Date.now() + 5_000;
    while ((await json(await fetch(`${t.baseUrl}/readyz`))).details.database.breaker !== 'closed') {
      if (Date.now() > until) throw new Error('the breaker did not close');
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

describe('READINESS_INCLUDES_DATABASE=true (a database per pod): an open breaker fails readiness', () => {
  let db: ProxiedDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createProxiedDatabase();
    t = await startTestApp({
      DATABASE_URL: db.proxiedUrl,
      READINESS_INCLUDES_DATABASE: 'true',
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_BREAKER_THRESHOLD: '2',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('/readyz 503 NOT_READY naming the database while open, 200 again once the probe closes it', async () => {
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
    await db.proxy.cut();
    for (let i = 0; i < 2; i++) {
      expect((await fetch(`${t.baseUrl}/api/counters/x`)).status).toBe(503);
    }
    const down = await fetch(`${t.baseUrl}/readyz`);
    expect(down.status).toBe(503);
    const body = await json(down);
    expect(body.code).toBe('NOT_READY');
    expect(body.checks.database).toMatchObject({ status: 'down', breaker: 'open' });
    await db.proxy.restore();
    const until = Date.now() + 5_000;
    while ((await fetch(`${t.baseUrl}/readyz`)).status !== 200) {
      if (Date.now() > until) throw new Error('readiness did not return');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
