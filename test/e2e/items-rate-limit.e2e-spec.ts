import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config.loader.js';
import { RedisNames } from '../../src/redis/redis.names.js';
import { freePort } from '../support/child-process.js';
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from '../support/database.js';
import { json } from '../support/http.js';
import { startTestApp, TEST_ENV, type TestApp } from '../support/test-app.js';

describe('rate limiting shared over Redis, and Redis failing open', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await createPostgresDatabase();
    // Counters from an earlier run of this process's prefix must not leak in.
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${new RedisNames(loadConfig(TEST_ENV)).rateLimitKeys}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await db?.drop();
  });

  async function start(env: Record<string, string>): Promise<TestApp> {
    const app = await startTestApp({ DATABASE_URL: db.url, ...env });
    apps.push(app);
    return app;
  }

  it('RATE_LIMIT_PER_MINUTE holds across two replicas; the 6th call → 429 problem+json RATE_LIMITED; probes exempt', async () => {
    const env = { REDIS_URL, RATE_LIMIT_PER_MINUTE: '5' };
    const [a, b] = await Promise.all([start(env), start(env)]);
    const statuses = [];
    for (const app of [a, b, a, b, a]) {
      statuses.push((await fetch(`${app.baseUrl}/api/counters/rl`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await fetch(`${b.baseUrl}/api/counters/rl`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const problem = await json(limited);
    expect(problem.code).toBe('RATE_LIMITED');
    expect(problem.requestId).toBe(limited.headers.get('x-request-id'));
    for (const path of ['/healthz', '/readyz', '/startupz', '/healthz', '/readyz']) {
      expect((await fetch(`${a.baseUrl}${path}`)).status).toBe(200);
    }
  });

  it('without Redis the limit is per replica (in-process store)', async () => {
    const c = await start({ RATE_LIMIT_PER_MINUTE: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${c.baseUrl}/api/counters/rl`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('Redis down: requests are not limited (fail-open), writes succeed, /readyz 200 with redis degraded', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const d = await start({ REDIS_URL: deadRedis, RATE_LIMIT_PER_MINUTE: '2' });
    for (let i = 0; i < 6; i++)
      expect((await fetch(`${d.baseUrl}/api/counters/open`)).status).toBe(200);
    const started = Date.now();
    const created = await fetch(`${d.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"written while redis is down"}',
    });
    expect(created.status).toBe(201);
    const patched = await fetch(`${d.baseUrl}/api/items/${(await json(created)).id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        'if-match': created.headers.get('etag') as string,
      },
      body: '{"name":"still writable"}',
    });
    expect(patched.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    const ready = await fetch(`${d.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const body = await json(ready);
    expect(body.status).toBe('degraded');
    expect(body.details.redis.status).toBe('degraded');
    expect(body.details.database.status).toBe('up');
  });
});
