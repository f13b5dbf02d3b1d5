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
});
