import { answer, BackendServer } from '../support/backend-server.js';
import { until } from '../support/wait.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MAX_CONCURRENT = 2;
const MAX_QUEUE = 1;

describe('bulkhead: a slow backend cannot hold more than its share', () => {
  let backend: BackendServer;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    // Answers after 300 ms: slow, not failing.
    backend = await new BackendServer((req, res, hit) => {
      setTimeout(() => answer(200, { hit })(req, res, hit), 300);
    }).start();
    db = await defaultDatabaseEnv();
    t = await startTestApp({
      ...db.env,
      BACKEND_URLS: backend.url,
      UPSTREAM_MAX_CONCURRENT: String(MAX_CONCURRENT),
      UPSTREAM_MAX_QUEUE: String(MAX_QUEUE),
    });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
    await db.drop();
  });

  it('rejects the calls beyond MAX_CONCURRENT + MAX_QUEUE at once with UPSTREAM_BULKHEAD_FULL', async () => {
    const total = 6;
    const pending = Array.from({ length: total }, () =>
      fetch(`${t.baseUrl}/api/fanout`).then(async (r) => (await json(r)) as JsonBody),
    );
    // While the first two are in flight, one waits in the queue.
    await until(() => backend.inFlight === MAX_CONCURRENT, 2_000);
    const during = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(during).toMatch(/upstream_bulkhead_active_calls\{[^}]*\} 2\b/);
    expect(during).toMatch(/upstream_bulkhead_queue_depth\{[^}]*\} 1\b/);

    const entries = (await Promise.all(pending)).map((body) => body.backends[0]);
    const rejected = entries.filter((e) => e.error === 'UPSTREAM_BULKHEAD_FULL');
    const served = entries.filter((e) => e.ok);
    expect(rejected).toHaveLength(total - MAX_CONCURRENT - MAX_QUEUE);
    expect(served).toHaveLength(MAX_CONCURRENT + MAX_QUEUE);
    for (const e of rejected) {
      expect(e.status).toBe(503);
      expect(e.latencyMs).toBeLessThan(50); // immediately, not after the 300 ms backend
    }
    // The queued call ran once a slot freed: after two backend round trips.
    expect(Math.max(...served.map((e) => e.latencyMs))).toBeGreaterThanOrEqual(590);
    expect(backend.hits).toBe(MAX_CONCURRENT + MAX_QUEUE);
    const after = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(after).toMatch(/upstream_bulkhead_rejections_total\{[^}]*\} 3\b/);
  });
});
