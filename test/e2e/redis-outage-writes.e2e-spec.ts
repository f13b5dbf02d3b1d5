import { startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';
import { eventually } from '../support/wait.js';

const WRITES = 20;
const UNPUBLISHED = 'cache invalidation not published';

/**
 * Item writes while Redis is away (a throwaway one, stopped): they succeed (fail-open), and the
 * lost invalidations are counted in a metric and logged once, not once per write (918 warning
 * lines for 896 writes in 8 s before).
 */
describe('item writes during a Redis outage', () => {
  let redis: ThrowawayRedis;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;
  let child: Child;

  beforeAll(async () => {
    [redis, db] = await Promise.all([startThrowawayRedis(), defaultDatabaseEnv()]);
    child = await startChild({ ...db.env, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    child?.process.kill('SIGTERM');
    await child?.exited;
    await redis?.stop();
    await db?.drop();
  });

  it('succeed, and the unpublished invalidations are counted and logged once', async () => {
    const created = await fetch(`${child.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"before"}',
    });
    const { id } = await json(created);
    await redis.stop();
    await eventually(
      async () =>
        (await json(await fetch(`${child.baseUrl}/readyz?verbose`))).details.redis.status !== 'up',
      15_000,
    );
    for (let i = 0; i < WRITES; i++) {
      const res = await fetch(`${child.baseUrl}/api/items/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'if-match': '*' },
        body: JSON.stringify({ name: `during-${i}` }),
      });
      expect(res.status).toBe(200);
    }
    const metrics = await (await fetch(`${child.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`^items_cache_invalidations_unpublished_total ${WRITES}$`, 'm'),
    );
    const logged = child
      .output()
      .split('\n')
      .filter((line) => line.includes(UNPUBLISHED));
    expect(logged).toHaveLength(1);
  });
});
