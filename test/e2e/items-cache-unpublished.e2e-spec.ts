import { AdminClient } from '../support/admin-client.js';
import { CacheReplicas } from '../support/cache-replicas.js';
import { createItem, json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 15_000;
/** How long B is given, once Redis answers A again, to serve the acknowledged write. */
const FRESH_WITHIN_MS = 5_000;

/**
 * A Redis that hangs (SIGSTOP on a throwaway one) is not seen by every replica at the same moment:
 * each one's watchdog PINGs on its own second and gives up after its own REDIS_COMMAND_TIMEOUT_MS.
 * Here A (the writer) drops its hung connection after 200 ms, B would only after 30 s: made
 * certain here, the same happens by chance with equal settings when the hang is shorter than B's
 * watchdog takes. A's write in between answers 200 (fail-open), its PUBLISH refused at once (no
 * connection ready), while B stays subscribed and never learns of it. Once Redis answered again,
 * B still served the version from before the acknowledged write until CACHE_TTL_MS (30 s by
 * default, 10 min here). A remembers the invalidations Redis did not take, and publishes them
 * again once it can.
 */
describe('an invalidation a hung Redis did not take', () => {
  let replicas: CacheReplicas;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    replicas = await CacheReplicas.start();
    [a, b] = await Promise.all([
      replicas.replica({ REDIS_COMMAND_TIMEOUT_MS: '200' }),
      replicas.replica({ REDIS_COMMAND_TIMEOUT_MS: '30000' }),
    ]);
  });
  afterAll(() => replicas?.close());

  const metric = async (app: TestApp, name: string, labels: Record<string, string> = {}) =>
    (await new AdminClient(() => app.adminUrl).metric(name, labels)) ?? 0;
  const redisEntry = async (app: TestApp) =>
    (await json(await fetch(`${app.baseUrl}/readyz?verbose`))).details.redis;
  const read = async (app: TestApp, id: string) => {
    const res = await fetch(`${app.baseUrl}/api/items/${id}`);
    expect(res.status).toBe(200);
    return (await json(res)).name as string;
  };

  it('is published again once Redis answers: no replica serves the old version after that', async () => {
    const { id } = await createItem(a.baseUrl, 'before');
    await eventually(async () => (await metric(b, 'items_cache_blind')) === 0, EVENTUALLY_MS);
    await read(b, id);
    const hits = await metric(b, 'items_cache_requests_total', { result: 'hit' });
    expect(await read(b, id)).toBe('before');
    expect(await metric(b, 'items_cache_requests_total', { result: 'hit' })).toBe(hits + 1);

    replicas.redis.freeze();
    try {
      // A has dropped its connection to the hung server; B has not.
      await eventually(async () => {
        const entry = await redisEntry(a);
        return entry.status === 'degraded' && entry.connection !== 'ready';
      }, EVENTUALLY_MS);
      const started = performance.now();
      const res = await fetch(`${a.baseUrl}/api/items/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'if-match': '*' },
        body: '{"name":"after"}',
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(await metric(a, 'items_cache_invalidations_unpublished_total')).toBe(1);
      expect(await metric(b, 'items_cache_blind')).toBe(0);
    } finally {
      replicas.redis.thaw();
    }
    await eventually(async () => (await redisEntry(a)).status === 'up', EVENTUALLY_MS);
    const answeredAt = performance.now();
    // Reads on B from then on: the old version for as long as the invalidation is not yet out.
    let seen = await read(b, id);
    while (seen !== 'after' && performance.now() - answeredAt < FRESH_WITHIN_MS) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await read(b, id);
    }
    expect(seen).toBe('after');
    expect(await metric(b, 'items_cache_invalidations_total', { source: 'remote' })).toBe(1);
    // B never lost its subscription: it was told, not blinded.
    expect(await metric(b, 'items_cache_blind')).toBe(0);
    expect(await read(b, id)).toBe('after');
    await eventually(
      async () => (await metric(a, 'items_cache_invalidations_pending')) === 0,
      EVENTUALLY_MS,
    );
  }, 60_000);
});
