import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config.loader.js';
import { RedisNames } from '../../src/redis/redis.names.js';
import { AdminClient } from '../support/admin-client.js';
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from '../support/database.js';
import { createItem, json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

/**
 * Two deployments on one Redis, told apart by REDIS_KEY_PREFIX. With fixed names (before), the
 * other deployment's writes dropped this one's cached items by id, a subscriber of its channel
 * that never acknowledged made every write here wait out the 500 ms acknowledgement timeout, and
 * both counted one rate-limit bucket per client IP. Replicas with one prefix still share all three.
 * Prefixes unique to this run: other suites use the same Redis (with the default prefix).
 */
const run = `e2e-${process.pid}-${Date.now().toString(36)}`;
const names = (prefix: string) => new RedisNames(loadConfig({ REDIS_KEY_PREFIX: prefix }));
const counter = async (app: TestApp, name: string, labels?: Record<string, string>) =>
  (await new AdminClient(() => app.adminUrl).metric(name, labels)) ?? 0;

let db: TestDatabase;
const apps: TestApp[] = [];

beforeAll(async () => {
  db = await createPostgresDatabase();
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await db?.drop();
});

async function start(prefix: string, env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    ACCESS_LOG_ENABLED: 'false',
    ...env,
  });
  apps.push(app);
  return app;
}

describe('item cache invalidation is per REDIS_KEY_PREFIX', () => {
  const mine = `${run}-a:`;
  const theirs = `${run}-b:`;
  let a: TestApp; // writes
  let a2: TestApp; // another replica of a's deployment
  let b: TestApp; // the other deployment, on the same Redis

  const remoteInvalidations = (app: TestApp) =>
    counter(app, 'items_cache_invalidations_total', { source: 'remote' });
  const unconfirmed = () => counter(a, 'items_cache_invalidations_unconfirmed_total');

  async function patch(id: string, name: string): Promise<void> {
    const res = await fetch(`${a.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '*' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(200);
  }
  const nameOn = async (app: TestApp, id: string) =>
    (await json(await fetch(`${app.baseUrl}/api/items/${id}`))).name as string;

  beforeAll(async () => {
    const env = { CACHE_TTL_MS: '600000', REQUEST_TIMEOUT_MS: '30000' };
    [a, a2, b] = await Promise.all([start(mine, env), start(mine, env), start(theirs, env)]);
    // Every replica subscribed (each does so once its own connection is ready).
    const redis = new Redis(REDIS_URL);
    try {
      const subscribers = async (channel: string) =>
        Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
      await eventually(
        async () =>
          (await subscribers(names(mine).itemInvalidations)) >= 2 &&
          (await subscribers(names(theirs).itemInvalidations)) >= 1,
        10_000,
      );
    } finally {
      redis.disconnect();
    }
  });

  it("a write on A drops the item from A's other replica, not from B's cache", async () => {
    const { id } = await createItem(a.baseUrl, 'v1');
    expect([await nameOn(a2, id), await nameOn(b, id)]).toEqual(['v1', 'v1']); // both cache it
    const before = [await remoteInvalidations(a2), await remoteInvalidations(b)];
    await patch(id, 'v2');
    // The write answered once every subscriber of A's channel had dropped its copy.
    const after = [await remoteInvalidations(a2), await remoteInvalidations(b)];
    expect({ a2: after[0]! - before[0]!, b: after[1]! - before[1]! }).toEqual({ a2: 1, b: 0 });
    expect([await nameOn(a2, id), await nameOn(b, id)]).toEqual(['v2', 'v1']);

    // Control: B does listen, on its own prefix's channel.
    const publisher = new Redis(REDIS_URL);
    try {
      await publisher.publish(names(theirs).itemInvalidations, `another-writer 1 ${id}`);
    } finally {
      publisher.disconnect();
    }
    await eventually(async () => (await remoteInvalidations(b)) === after[1]! + 1, 10_000);
    expect(await nameOn(b, id)).toBe('v2');
  });

  it("a subscriber of B's channel that never acknowledges does not hold A's writes; one of A's does", async () => {
    const { id } = await createItem(a.baseUrl, 'w0');
    const silent = new Redis(REDIS_URL);
    try {
      await silent.subscribe(names(theirs).itemInvalidations);
      const before = await unconfirmed();
      await patch(id, 'w1');
      await patch(id, 'w2');
      expect(await unconfirmed()).toBe(before);

      // Control: the same silent subscriber on A's own channel is waited for, and counted.
      await silent.unsubscribe();
      await silent.subscribe(names(mine).itemInvalidations);
      await patch(id, 'w3');
      expect(await unconfirmed()).toBe(before + 1);
    } finally {
      silent.disconnect();
    }
  });
});

describe('rate-limit buckets are per REDIS_KEY_PREFIX', () => {
  it('a client spending its budget on A is not limited on B; on A2 (same prefix) it is', async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '2' };
    const [a, a2, b] = await Promise.all([
      start(`${run}-rl-a:`, env),
      start(`${run}-rl-a:`, env),
      start(`${run}-rl-b:`, env),
    ]);
    const status = async (app: TestApp) => (await fetch(`${app.baseUrl}/hello`)).status;
    expect([await status(a), await status(a2), await status(a)]).toEqual([200, 200, 429]);
    expect([await status(b), await status(b), await status(b)]).toEqual([200, 200, 429]);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = (prefix: string) => redis.keys(`${names(prefix).rateLimitKeys}*`);
      expect([(await keys(`${run}-rl-a:`)).length, (await keys(`${run}-rl-b:`)).length]).toEqual([
        1, 1,
      ]);
    } finally {
      redis.disconnect();
    }
  });
});
