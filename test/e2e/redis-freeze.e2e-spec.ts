import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';
import { eventually } from '../support/wait.js';

/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 15_000;
/** ioredis's per-command timeout in redis.service.ts: what each request waited before. */
const COMMAND_TIMEOUT_MS = 1_000;

describe('a Redis that hangs (SIGSTOP on a throwaway one): fail fast, say so, come back', () => {
  let redis: ThrowawayRedis;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    [redis, db] = await Promise.all([startThrowawayRedis(), defaultDatabaseEnv()]);
    // Every request asks Redis (the rate limiter's shared store), none near the limit.
    t = await startTestApp({ ...db.env, REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
    await db?.drop();
  });

  const redisCheck = async () =>
    (await json(await fetch(`${t.baseUrl}/readyz?verbose`))).details.redis;

  it('readiness turns degraded, requests stop waiting on it, and it is up again after a thaw', async () => {
    expect(await redisCheck()).toMatchObject({ status: 'up' });
    redis.freeze();
    try {
      await eventually(async () => (await redisCheck()).status === 'degraded', EVENTUALLY_MS);
      // Each of these waited out the command timeout while the connection still looked ready.
      const timings: number[] = [];
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        const res = await fetch(`${t.baseUrl}/hello`);
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        timings.push(performance.now() - started);
      }
      expect(Math.max(...timings)).toBeLessThan(COMMAND_TIMEOUT_MS / 2);
      const ready = await fetch(`${t.baseUrl}/readyz`);
      expect(ready.status).toBe(200); // a shared dependency never takes the pod out of rotation
      await ready.arrayBuffer();
    } finally {
      redis.thaw();
    }
    await eventually(async () => (await redisCheck()).status === 'up', EVENTUALLY_MS);
  });

  // Before the watchdog drops the hung connection, a write's PUBLISH waited out the 1 s command
  // timeout on top of the 500 ms for acknowledgements: past a 300 ms deadline the committed
  // write answered 504, its outcome unknown to the client.
  it('a write just after Redis hangs answers 200 within its deadline', async () => {
    const writer = await startTestApp({ ...db.env, REDIS_URL: redis.url });
    try {
      const created = await fetch(`${writer.baseUrl}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"before"}',
      });
      const { id } = await json(created);
      redis.freeze();
      const res = await fetch(`${writer.baseUrl}/api/items/${id}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          'if-match': '*',
          'x-request-timeout': '300ms',
        },
        body: '{"name":"during"}',
      });
      expect(res.status).toBe(200);
      expect((await json(res)).name).toBe('during');
    } finally {
      redis.thaw();
      await writer.close();
    }
  });
});
