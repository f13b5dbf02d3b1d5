/**
 * What the rate limiter does at its edges (http/rate-limit.hook.ts): a store that answers every
 * command with an error, and requests that match no route.
 */
import { freePort, startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';

const RATE_LIMIT_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
const FAIL_OPEN_LINE = 'rate limit not enforced';

describe('rate limiting', () => {
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    db = await defaultDatabaseEnv();
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe('over a Redis that answers every command with an error (a replica: READONLY)', () => {
    let replica: ThrowawayRedis;
    let child: Child;

    beforeAll(async () => {
      // A replica of a master that is not there: connected, `ready`, PING answered, every write
      // (the limiter's EVAL of INCR) refused READONLY, as after a failover that left the
      // service's address on a replica.
      replica = await startThrowawayRedis(['--replicaof', '127.0.0.1', String(await freePort())]);
      child = await startChild({
        ...db.env,
        REDIS_URL: replica.url,
        RATE_LIMIT_PER_MINUTE: '2',
        LOG_LEVEL: 'info',
      });
    });
    afterAll(async () => {
      child?.process.kill('SIGKILL');
      await child?.exited;
      await replica?.stop();
    });

    it('lets requests through without RateLimit headers, counts them, logs once and reports redis degraded', async () => {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${child.baseUrl}/hello`);
        await res.arrayBuffer();
        answers.push({
          status: res.status,
          headers: RATE_LIMIT_HEADERS.filter((name) => res.headers.has(name)),
        });
      }
      // Fail-open stays (docs/data.md), but no client is told it has its whole budget.
      expect(answers).toEqual(Array(4).fill({ status: 200, headers: [] }));

      const metrics = parsePrometheusText(await (await fetch(`${child.adminUrl}/metrics`)).text());
      const failOpen = metrics.get('http_server_rate_limit_fail_open_total');
      expect(failOpen?.samples.map((s) => s.value)).toEqual([4]);

      const ready = await fetch(`${child.baseUrl}/readyz?verbose`);
      expect(ready.status).toBe(200); // a shared dependency never takes the pod out of rotation
      expect((await json(ready)).details.redis).toMatchObject({
        status: 'degraded',
        connection: 'ready',
        failOpen: true,
        error: expect.stringContaining('READONLY'),
      });

      expect(child.output().split(FAIL_OPEN_LINE).length - 1).toBe(1);
    });
  });

  describe('every request of a client counts, routed or not (in-process store)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ ...db.env, RATE_LIMIT_PER_MINUTE: '2' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('404s spend the budget, and a client at 429 gets 429 for unknown paths and methods too', async () => {
      const call = async (path: string, method = 'GET') => {
        const res = await fetch(`${t.baseUrl}${path}`, { method });
        await res.arrayBuffer();
        return `${method} ${path} ${res.status}`;
      };
      expect([
        await call('/nonexistent'),
        await call('/hello'),
        await call('/hello'),
        await call('/nonexistent'),
        await call('/hello', 'DELETE'),
        await call('/hello', 'OPTIONS'),
      ]).toEqual([
        'GET /nonexistent 404',
        'GET /hello 200',
        'GET /hello 429',
        'GET /nonexistent 429',
        'DELETE /hello 429',
        'OPTIONS /hello 429',
      ]);
    });
  });
});
