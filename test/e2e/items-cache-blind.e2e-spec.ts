import { Redis } from 'ioredis';
import { AdminClient } from '../support/admin-client.js';
import { CacheReplicas } from '../support/cache-replicas.js';
import { createItem, json } from '../support/http.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import type { TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

const ROUNDS = 5;
/** B's POD_NAME, in its connections' CLIENT SETNAME: how the test finds B's subscriber. */
const B_POD = 'blind-b';

/**
 * Replica B loses its Redis subscription while Redis stays up (CLIENT KILL on B's subscriber
 * alone: a Redis restart or failover that the replicas rejoin at different times). A's write
 * then reaches only A's own subscriber, its PUBLISH counts that one, and it answers 200 fully
 * confirmed; B, not told, served its cached copy until it resubscribed (20 rounds in 20, stale
 * for 52-215 ms each), counted nowhere. B serves nothing from its cache until it is subscribed
 * again. C reaches the test's own Redis through a proxy the test can cut, to stay unsubscribed
 * as long as the test likes; A and B reach it directly.
 */
describe('a replica that cannot hear invalidations serves no cached copy', () => {
  let replicas: CacheReplicas;
  let redisProxy: TcpProxy;
  let control: Redis;
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;

  beforeAll(async () => {
    replicas = await CacheReplicas.start();
    redisProxy = await replicas.startRedisProxy();
    control = new Redis(replicas.redis.url);
    [a, b, c] = await Promise.all([
      replicas.replica(),
      replicas.replica({ POD_NAME: B_POD }),
      replicas.replica({ REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` }),
    ]);
  });
  afterAll(async () => {
    control?.disconnect();
    await replicas?.close();
  });

  const metric = async (app: TestApp, name: string, labels: Record<string, string> = {}) =>
    (await new AdminClient(() => app.adminUrl).metric(name, labels)) ?? 0;
  const hits = (app: TestApp) => metric(app, 'items_cache_requests_total', { result: 'hit' });
  const queries = (app: TestApp) =>
    metric(app, 'db_client_operations_total', { operation: 'items.find_by_id' });
  const read = async (app: TestApp, id: string) => {
    const res = await fetch(`${app.baseUrl}/api/items/${id}`);
    expect(res.status).toBe(200);
    return (await json(res)).name as string;
  };
  const rename = async (app: TestApp, id: string, name: string) => {
    const res = await fetch(`${app.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '*' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  };
  /** Drops B's subscriber connection alone, from a connection of the test's own. */
  const killSubscriberOfB = async () => {
    const list = (await control.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    const line = list.split('\n').find((l) => l.includes(`name=`) && l.includes(`:${B_POD} `));
    const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
    if (!id) throw new Error(`no subscriber of ${B_POD} in:\n${list}`);
    expect(await control.call('CLIENT', 'KILL', 'ID', id, 'TYPE', 'pubsub')).toBe(1);
  };
  const subscribedAgain = (app: TestApp) =>
    eventually(async () => (await metric(app, 'items_cache_blind')) === 0, 15_000);

  it('a read right after another replica’s write gets the new version while its subscription is lost', async () => {
    const { id } = await createItem(a.baseUrl, 'v');
    await rename(a, id, 'v0'); // A's first write is slow enough for B to resubscribe meanwhile
    for (let round = 1; round <= ROUNDS; round++) {
      await subscribedAgain(b);
      // B holds the item: the second read is a hit.
      await read(b, id);
      const before = await hits(b);
      expect(await read(b, id)).toBe(`v${round - 1}`);
      expect(await hits(b)).toBe(before + 1);

      await killSubscriberOfB();
      await rename(a, id, `v${round}`);
      expect({ round, onB: await read(b, id) }).toEqual({ round, onB: `v${round}` });
    }
    expect(await metric(a, 'items_cache_invalidations_unconfirmed_total')).toBe(0);
  }, 60_000);

  it('reads query the database while unsubscribed, and hit the cache again once resubscribed', async () => {
    const { id } = await createItem(a.baseUrl, 'before');
    await subscribedAgain(c);
    await read(c, id);
    expect(await read(c, id)).toBe('before');
    expect(await metric(c, 'items_cache_entries')).toBe(1);

    await redisProxy.cut(); // C's connections dropped, and its reconnects refused
    await eventually(async () => (await metric(c, 'items_cache_blind')) === 1, 15_000);
    expect(await metric(c, 'items_cache_entries')).toBe(0);
    const [hitsBefore, queriesBefore] = [await hits(c), await queries(c)];
    for (let i = 0; i < 3; i++) expect(await read(c, id)).toBe('before');
    // A's write reaches no subscriber of C's; C reads it from the database.
    await rename(a, id, 'during');
    expect(await read(c, id)).toBe('during');
    expect([await hits(c), await queries(c)]).toEqual([hitsBefore, queriesBefore + 4]);
    expect(await metric(c, 'items_cache_entries')).toBe(0);

    await redisProxy.restore();
    await subscribedAgain(c);
    expect(await read(c, id)).toBe('during');
    expect(await read(c, id)).toBe('during');
    expect([await hits(c), await queries(c)]).toEqual([hitsBefore + 1, queriesBefore + 5]);
  }, 60_000);

  // A hung Redis (SIGSTOP) kept every subscriber connection open and subscribed: no replica knew
  // it heard nothing, writes meanwhile were never published, and B served its copy through the
  // hang and after it, until CACHE_TTL_MS. The watchdog's PING now drops the subscriber too.
  it('a Redis that hangs: no replica serves its copy meanwhile, nor after it answers again', async () => {
    const redisStatus = async (app: TestApp) =>
      (await json(await fetch(`${app.baseUrl}/readyz?verbose`))).details.redis.status as string;
    const { id } = await createItem(a.baseUrl, 'before');
    await subscribedAgain(b);
    await read(b, id);
    expect(await read(b, id)).toBe('before'); // cached

    replicas.redis.freeze();
    try {
      // Both watchdogs have dropped their connections to the hung server.
      await eventually(
        async () => (await redisStatus(a)) !== 'up' && (await redisStatus(b)) !== 'up',
        15_000,
      );
      await rename(a, id, 'during'); // fail-open: answered, its invalidation published to no one
      expect(await read(b, id)).toBe('during');
      expect(await metric(b, 'items_cache_blind')).toBe(1);
    } finally {
      replicas.redis.thaw();
    }
    await subscribedAgain(b);
    const before = await hits(b);
    expect(await read(b, id)).toBe('during');
    expect(await read(b, id)).toBe('during');
    expect(await hits(b)).toBe(before + 1);
  }, 60_000);
});
