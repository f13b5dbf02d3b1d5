import { BackendServer, stall } from '../support/backend-server.js';
import { until } from '../support/wait.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TIMEOUT_MS = 300;
/** Timers, sockets and a shared, busy 2-core machine: the slack allowed past a timeout. */
const SLACK_MS = 250;

describe('timeout policy against a backend that stalls (connection observed on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    backend = await new BackendServer(stall).start();
    db = await defaultDatabaseEnv();
    t = await startTestApp({
      ...db.env,
      BACKEND_URLS: backend.url,
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      UPSTREAM_RETRY_MAX: '2',
      UPSTREAM_RETRY_BUDGET_PERCENT: '100',
    });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
    await db.drop();
  });

  it('answers a 504-coded entry within UPSTREAM_TIMEOUT_MS, and really aborts the request', async () => {
    const started = Date.now();
    const res = await fetch(`${t.baseUrl}/api/fanout`);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    const entry = (await json(res)).backends[0];
    expect(entry).toMatchObject({
      ok: false,
      status: 504,
      error: 'UPSTREAM_TIMEOUT',
      degraded: true,
    });
    expect(entry.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // Timeouts are not retried (the time is spent), and the backend saw its connection closed.
    expect(backend.hits).toBe(1);
    await until(() => backend.inFlight === 0, 200);
    const metrics = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/upstream_timeouts_total\{backend="[^"]+"\} 1\b/);
  });

  it('is never longer than the request deadline: 150 ms left → the entry times out first', async () => {
    const started = Date.now();
    const res = await fetch(`${t.baseUrl}/api/fanout`, {
      headers: { 'x-request-timeout': '150ms' },
    });
    const elapsed = Date.now() - started;
    // The upstream call gave up first, so the fan-out still answers, with the entry degraded;
    // had the call outlived the request, this would be 504 REQUEST_DEADLINE_EXCEEDED.
    expect(res.status).toBe(200);
    const entry = (await json(res)).backends[0];
    expect(entry.error).toBe('UPSTREAM_TIMEOUT');
    expect(entry.latencyMs).toBeLessThan(TIMEOUT_MS);
    expect(elapsed).toBeLessThan(150 + SLACK_MS);
    await until(() => backend.inFlight === 0, 200);
  });

  it('with less time left than the margin, the backend is not called at all', async () => {
    const before = backend.hits;
    const res = await fetch(`${t.baseUrl}/api/fanout`, {
      headers: { 'x-request-timeout': '15ms' },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).backends[0]).toMatchObject({
      error: 'UPSTREAM_TIMEOUT',
      degraded: true,
    });
    expect(backend.hits).toBe(before);
  });

  it('a client that goes away cancels the upstream call', async () => {
    const before = backend.hits;
    const controller = new AbortController();
    const pending = fetch(`${t.baseUrl}/api/fanout`, { signal: controller.signal }).catch(
      () => null,
    );
    await until(() => backend.hits === before + 1 && backend.inFlight === 1, 1_000);
    controller.abort();
    await pending;
    await until(() => backend.inFlight === 0, TIMEOUT_MS / 2);
  });
});
