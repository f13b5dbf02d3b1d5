import { CacheReplicas } from '../support/cache-replicas.js';
import { createItem, json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';
import { AdminClient } from '../support/admin-client.js';

/** redis.service.ts: the watchdog's period, and its PING's timeout (REDIS_COMMAND_TIMEOUT_MS). */
const WATCHDOG_MS = 1_000;
const COMMAND_TIMEOUT_MS = 1_000;
/** Room for two event loops on a busy shared machine. */
const SLACK_MS = 500;
const ROUNDS = 3;

/**
 * A Redis that hangs (SIGSTOP on a throwaway one) right before a write on A: the write answers
 * 200 after its 500 ms wait for acknowledgements, and B, which cannot have heard it, serves its
 * copy until its watchdog finds the hang and its cache goes out of use. That took the PING's
 * period and timeout and then 2 s more: the dropped connection waited for the frozen server to
 * answer its close (ioredis's disconnectTimeout) before it closed, and B's cache is out of use
 * only from the close. B served the version from before the acknowledged write until 3.1-3.5 s
 * after the hang began; now until the PING's period and timeout, no more.
 */
describe('a Redis that hangs: how long another replica serves the version before a write', () => {
  let replicas: CacheReplicas;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    replicas = await CacheReplicas.start();
    [a, b] = await Promise.all([replicas.replica(), replicas.replica()]);
  });
  afterAll(() => replicas?.close());

  const blind = async (app: TestApp) =>
    (await new AdminClient(() => app.adminUrl).metric('items_cache_blind')) ?? 1;
  const read = async (app: TestApp, id: string) =>
    (await json(await fetch(`${app.baseUrl}/api/items/${id}`))).name as string;

  it('no longer than the watchdog takes to find the hang', async () => {
    const lastStale: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await eventually(async () => (await blind(a)) === 0 && (await blind(b)) === 0, 20_000);
      const { id } = await createItem(a.baseUrl, 'before');
      await read(b, id);
      expect(await read(b, id)).toBe('before');

      replicas.redis.freeze();
      const frozenAt = performance.now();
      try {
        const res = await fetch(`${a.baseUrl}/api/items/${id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'if-match': '*' },
          body: '{"name":"after"}',
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        let stale = 0;
        while (performance.now() - frozenAt < WATCHDOG_MS + COMMAND_TIMEOUT_MS + 3_000) {
          if ((await read(b, id)) === 'before') stale = performance.now() - frozenAt;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        lastStale.push(Math.round(stale));
      } finally {
        replicas.redis.thaw();
      }
    }
    process.stdout.write(`the old version served on B until ${lastStale.join(', ')} ms\n`);
    for (const ms of lastStale) {
      expect(ms).toBeLessThan(WATCHDOG_MS + COMMAND_TIMEOUT_MS + SLACK_MS);
    }
  }, 90_000);
});
