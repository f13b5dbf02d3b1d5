import { BackendServer, stall } from '../support/backend-server.js';
import { until } from '../support/wait.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

const TIMEOUT_MS = 300;
/**
 * How long to wait for something the test has already caused (an abort reaching the backend):
 * a failure bound for a busy shared machine, not a measurement. The backend stalls forever, so
 * nothing but the cause can end its call.
 */
const EVENTUALLY_MS = 10_000;

describe('timeout policy against a backend that stalls (connection observed on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;

  beforeAll(async () => {
    backend = await new BackendServer(stall).start();
    t = await startTestAppWithDatabase({
      BACKEND_URLS: backend.url,
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      UPSTREAM_RETRY_MAX: '2',
      UPSTREAM_RETRY_BUDGET_PERCENT: '100',
    });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
  });

  const counters = async (): Promise<{ timeouts: number; cancelled: number }> => {
    const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
    const read = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
    return {
      timeouts: read(/^upstream_timeouts_total\{backend="[^"]+"\} (\d+)/m),
      cancelled: read(/^upstream_calls_total\{[^}]*outcome="cancelled"[^}]*\} (\d+)/m),
    };
  };

  it('answers a 504-coded entry at UPSTREAM_TIMEOUT_MS, and really aborts the request', async () => {
    const before = await counters();
    const hits = backend.hits;
    const res = await fetch(`${t.baseUrl}/api/fanout`);
    expect(res.status).toBe(200);
    const entry = (await json(res)).backends[0];
    expect(entry).toMatchObject({
      ok: false,
      status: 504,
      error: 'UPSTREAM_TIMEOUT',
      degraded: true,
    });
    // The backend never answers: only the timeout ends the call (the request's own deadline is
    // the default 30 s, and that would answer 504, not 200).
    expect(entry.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    // Timeouts are not retried (the time is spent), and the backend saw its connection closed.
    expect(backend.hits - hits).toBe(1);
    await until(() => backend.inFlight === 0, EVENTUALLY_MS);
    expect((await counters()).timeouts - before.timeouts).toBe(1);
  });

  it('is never longer than the request deadline: 150 ms left → the entry times out first', async () => {
    const res = await fetch(`${t.baseUrl}/api/fanout`, {
      headers: { 'x-request-timeout': '150ms' },
    });
    // The upstream call gave up first, so the fan-out still answers, with the entry degraded;
    // had the call outlived the request, this would be 504 REQUEST_DEADLINE_EXCEEDED.
    expect(res.status).toBe(200);
    const entry = (await json(res)).backends[0];
    expect(entry.error).toBe('UPSTREAM_TIMEOUT');
    // The attempt was sized from the request's 150 ms, not from UPSTREAM_TIMEOUT_MS (300 ms):
    // the backend was told so.
    const forwarded = parseInt(String(backend.received.at(-1)?.headers['x-request-timeout']), 10);
    expect(forwarded).toBeGreaterThan(0);
    expect(forwarded).toBeLessThan(150);
    await until(() => backend.inFlight === 0, EVENTUALLY_MS);
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
    const hits = backend.hits;
    const before = await counters();
    const controller = new AbortController();
    const pending = fetch(`${t.baseUrl}/api/fanout`, { signal: controller.signal }).catch(
      () => null,
    );
    await until(() => backend.hits === hits + 1 && backend.inFlight === 1, EVENTUALLY_MS);
    controller.abort();
    await pending;
    await until(() => backend.inFlight === 0, EVENTUALLY_MS);
    // Ended by the cancellation, not by the upstream timeout that would have come anyway.
    const after = await counters();
    expect({
      cancelled: after.cancelled - before.cancelled,
      timeouts: after.timeouts - before.timeouts,
    }).toEqual({ cancelled: 1, timeouts: 0 });
  });
});
