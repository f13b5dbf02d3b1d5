import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config.loader.js';
import { RedisNames } from '../../src/redis/redis.names.js';
import { startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv, REDIS_URL } from '../support/database.js';
import { createItem, json } from '../support/http.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, TEST_ENV, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

const CHANNEL = new RedisNames(loadConfig(TEST_ENV)).itemInvalidations;

/**
 * A replica that starts while Redis is away subscribes once Redis is back. It subscribed once,
 * at start, and ioredis re-subscribes only what went through: after Redis came back it still
 * served its cached copy after another replica's acknowledged write, and its own writes waited
 * out the 500 ms acknowledgement timeout.
 */
describe('a replica that started without Redis', () => {
  // In front of the shared Redis, which cutting it never stops.
  const redisProxy = new TcpProxy(redisTarget());
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;
  let late: Child;
  let writer: TestApp;

  function redisTarget() {
    const url = new URL(REDIS_URL);
    return { host: url.hostname, port: Number(url.port || 6379) };
  }

  beforeAll(async () => {
    db = await defaultDatabaseEnv();
    await redisProxy.start();
    await redisProxy.cut(); // Redis unreachable: connects are refused
    late = await startChild({ ...db.env, REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` });
    writer = await startTestApp({ ...db.env, REDIS_URL, CACHE_TTL_MS: '600000' });
  });
  afterAll(async () => {
    late?.process.kill('SIGTERM');
    await late?.exited;
    await writer?.close();
    await redisProxy.cut();
    await db?.drop();
  });

  it('subscribes once Redis is back: another replica’s write reaches its cache', async () => {
    // Past the window in which the start's one SUBSCRIBE was given up (ioredis drops a queued
    // command after maxRetriesPerRequest failed reconnects, ~0.3 s): it logged 'cache invalidation subscribe
    // failed'.
    await sleep(2_000);
    const redis = new Redis(REDIS_URL);
    try {
      const subscribers = async () =>
        Number(((await redis.pubsub('NUMSUB', CHANNEL)) as [string, number])[1]);
      const before = await subscribers(); // the writer, and any other app still running
      await redisProxy.restore();
      await eventually(async () => (await subscribers()) === before + 1, 15_000);
    } finally {
      redis.disconnect();
    }
    const { id } = await createItem(writer.baseUrl, 'v1');
    expect((await json(await fetch(`${late.baseUrl}/api/items/${id}`))).name).toBe('v1');
    const patched = await fetch(`${writer.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '*' },
      body: '{"name":"v2"}',
    });
    expect(patched.status).toBe(200); // answered once every subscriber acknowledged
    expect((await json(await fetch(`${late.baseUrl}/api/items/${id}`))).name).toBe('v2');
  });
});
