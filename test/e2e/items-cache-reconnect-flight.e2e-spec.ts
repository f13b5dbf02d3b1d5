import { setTimeout as sleep } from 'node:timers/promises';
import { CacheReplicas } from '../support/cache-replicas.js';
import { adminQuery } from '../support/database.js';
import { json } from '../support/http.js';
import { createProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import type { TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

/** A series' value from the admin /metrics text (0 when absent). */
async function metric(app: TestApp, series: string): Promise<number> {
  const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * A replica that reconnects to Redis drops its cache (it may have missed invalidations while
 * away). A read of an item it begun before that, whose query read the row before another
 * replica's write, is not stored; but a read that came after the reconnect joined it, and got
 * the version from before the write, although the write had committed before that read began.
 * Both proxies are the test's own: one in front of the machine's PostgreSQL, which holds the
 * server's answer to the first read; one in front of a throwaway Redis, which the test cuts.
 */
describe('a read after a Redis reconnect joins no query begun before it', () => {
  let replicas: CacheReplicas<ProxiedDatabase>;
  let db: ProxiedDatabase;
  let redisProxy: TcpProxy;
  let app: TestApp;

  beforeAll(async () => {
    replicas = await CacheReplicas.start({ database: () => createProxiedDatabase() });
    db = replicas.db;
    redisProxy = await replicas.startRedisProxy();
    app = await replicas.replica({
      DATABASE_URL: db.proxiedUrl,
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
      DB_QUERY_TIMEOUT_MS: '20000',
    });
  });
  afterAll(() => replicas?.close());

  async function create(name: string): Promise<string> {
    const res = await fetch(`${app.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(201);
    return (await json(res)).id as string;
  }
  const read = (id: string) => fetch(`${app.baseUrl}/api/items/${id}`);

  it('gets the version the write left, not the pre-reconnect query’s', async () => {
    const other = await create('other');
    const id = await create('v1');
    expect((await read(other)).status).toBe(200);
    expect(await metric(app, 'items_cache_entries')).toBe(1);

    await redisProxy.cut();
    // Unsubscribed: the cache is dropped and out of use until the subscription is back.
    await eventually(async () => (await metric(app, 'items_cache_blind')) === 1, 15_000);
    expect(await metric(app, 'items_cache_entries')).toBe(0);
    // The first read's query is answered by the server (v1), the answer held on the way back.
    const hold = db.proxy.holdAnswers();
    const first = read(id);
    await eventually(async () => hold.held() > 0, 10_000);
    // Another replica's write; its invalidation never reaches this one, which is not subscribed.
    await adminQuery(
      `UPDATE items SET name = 'v2', version = version + 1 WHERE id = $1`,
      [id],
      db.url,
    );

    await redisProxy.restore();
    await eventually(async () => (await metric(app, 'items_cache_blind')) === 0, 15_000);
    const second = read(id);
    // Joined to the held query, it answered only once that did (the old behaviour): not waited for.
    await Promise.race([second, sleep(3_000, undefined, { ref: false })]);
    hold.release();

    expect((await json(await second)).name).toBe('v2');
    // The first read began before the write: v1 is its answer, but is not what the cache keeps.
    expect((await json(await first)).name).toBe('v1');
    expect((await json(await read(id))).name).toBe('v2');
  }, 60_000);
});
