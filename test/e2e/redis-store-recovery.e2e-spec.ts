import { TEST_REDIS_KEY_PREFIX } from '../support/redis-prefix.js';
/**
 * The `redis` entry of /readyz after the rate limiter's store failed, with no request after
 * it to ask the store again (redis/rate-limit.fail-open.ts). Readiness polls are probes: they
 * never consult the store, so only the pod's own recheck can change the entry.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { AdminClient } from '../support/admin-client.js';
import { freePort } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';
import { eventually } from '../support/wait.js';

/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 20_000;

describe('the redis readiness entry follows the rate-limit store without traffic', () => {
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    db = await defaultDatabaseEnv();
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** A test app limiting every request through `redis`, far from its limit. */
  async function withApp(
    redis: ThrowawayRedis,
    run: (t: TestApp, entry: () => Promise<JsonBody>) => Promise<void>,
  ): Promise<void> {
    const t = await startTestApp({
      ...db.env,
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    try {
      const entry = async () =>
        (await json(await fetch(`${t.baseUrl}/readyz?verbose`))).details.redis;
      await run(t, entry);
    } finally {
      await t.close();
    }
  }

  /** One rate-limited request, let through while the store fails: the entry turns degraded. */
  async function failOpenOnce(t: TestApp, entry: () => Promise<JsonBody>): Promise<JsonBody> {
    const res = await fetch(`${t.baseUrl}/hello`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(res.headers.has('x-ratelimit-remaining')).toBe(false);
    const degraded = await entry();
    expect(degraded).toMatchObject({ status: 'degraded', failOpen: true });
    return degraded;
  }

  const failedOpen = (t: TestApp) =>
    new AdminClient(() => t.adminUrl).metric('http_server_rate_limit_fail_open_total');

  it('a Redis frozen and thawed (its connection kept): up again with no request after the thaw', async () => {
    const redis = await startThrowawayRedis();
    try {
      await withApp(redis, async (t, entry) => {
        expect(await entry()).toMatchObject({ status: 'up' });
        redis.freeze();
        try {
          expect(await failOpenOnce(t, entry)).toMatchObject({ error: 'Command timed out' });
        } finally {
          redis.thaw();
        }
        await eventually(async () => (await entry()).status === 'up', EVENTUALLY_MS);
        // No request was let through since: the recheck is not counted as one.
        expect(await failedOpen(t)).toBe(1);
      });
    } finally {
      await redis.stop();
    }
  });

  it('a Redis out of memory (connection ready throughout, writes refused OOM): up again once it has room', async () => {
    const redis = await startThrowawayRedis();
    const admin = new Redis(redis.url);
    try {
      await withApp(redis, async (t, entry) => {
        await admin.config('SET', 'maxmemory', '1');
        expect(await failOpenOnce(t, entry)).toMatchObject({
          connection: 'ready',
          error: expect.stringContaining('OOM'),
        });
        await admin.config('SET', 'maxmemory', '0');
        await eventually(async () => (await entry()).status === 'up', EVENTUALLY_MS);
        expect(await failedOpen(t)).toBe(1);
      });
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });

  it('a reconnect to a store still refusing (a replica: READONLY) reads degraded again, not up', async () => {
    // A replica of a master that is not there: `ready`, PING answered, every write refused.
    const redis = await startThrowawayRedis(['--replicaof', '127.0.0.1', String(await freePort())]);
    const admin = new Redis(redis.url);
    try {
      await withApp(redis, async (t, entry) => {
        expect(await failOpenOnce(t, entry)).toMatchObject({
          error: expect.stringContaining('READONLY'),
        });
        // Drop the app's connections (all but this test's own); ioredis reconnects them.
        const ownId = Number(await admin.client('ID'));
        const appIds = async () =>
          ((await admin.client('LIST')) as string)
            .split('\n')
            .map((line) => Number(/\bid=(\d+)/.exec(line)?.[1]))
            .filter((id) => Number.isFinite(id) && id !== ownId);
        const before = await appIds();
        expect(before.length).toBeGreaterThan(0);
        for (const id of before) await admin.client('KILL', 'ID', String(id));
        let after: number[] = [];
        const reconnected = async () => {
          after = await appIds();
          return after.length === before.length && after.every((id) => !before.includes(id));
        };
        await eventually(reconnected, EVENTUALLY_MS);
        // The failure was from before this reconnect, so only a new one can make the entry
        // degraded while the connection is ready: the recheck's, as no request came.
        await eventually(async () => {
          const now = await entry();
          return now.status === 'degraded' && now.connection === 'ready';
        }, EVENTUALLY_MS);
        expect(await entry()).toMatchObject({ error: expect.stringContaining('READONLY') });
        expect(await failedOpen(t)).toBe(1);
      });
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });

  it('the recheck stops once the store answers: no further writes to its key', async () => {
    const redis = await startThrowawayRedis();
    const admin = new Redis(redis.url);
    try {
      await withApp(redis, async (t, entry) => {
        await admin.config('SET', 'maxmemory', '1');
        await failOpenOnce(t, entry);
        await admin.config('SET', 'maxmemory', '0');
        await eventually(async () => (await entry()).status === 'up', EVENTUALLY_MS);
        const key = `${TEST_REDIS_KEY_PREFIX}rate-limit:store-recheck`;
        const count = Number(await admin.get(key));
        expect(count).toBeGreaterThan(0);
        // Several recheck periods later, the count is the same: no timer asks any more.
        await sleep(3_000);
        expect(Number(await admin.get(key))).toBe(count);
      });
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });
});
