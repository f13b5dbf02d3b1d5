import { AppError } from '../../src/errors/app.error.js';
import { runInRequest } from '../../src/request-context/context.store.js';
import { UpstreamService } from '../../src/upstream/upstream.service.js';
import { answer, BackendServer, type BackendHandler } from '../support/backend-server.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

/** 503 for the first `n` hits, 200 after. */
const failFirst =
  (n: number, headers: Record<string, string> = {}): BackendHandler =>
  (req, res, hit) =>
    hit <= n ? answer(503, { hit }, headers)(req, res, hit) : answer(200, { hit })(req, res, hit);

const codeOf = (e: unknown) => (e instanceof AppError ? e.code : String(e));

describe('retries stay within the retry budget', () => {
  const ORIGINALS = 50;
  let flaky: BackendServer;
  let t: TestApp;

  beforeAll(async () => {
    // Every other request fails: a failure is retried only while the budget allows.
    flaky = await new BackendServer((req, res, hit) =>
      answer(hit % 2 === 1 ? 503 : 200, { hit })(req, res, hit),
    ).start();
    t = await startTestAppWithDatabase({
      BACKEND_URLS: flaky.url,
      UPSTREAM_RETRY_MAX: '2',
      UPSTREAM_RETRY_BUDGET_PERCENT: '20',
      UPSTREAM_RETRY_BASE_DELAY_MS: '1',
      UPSTREAM_BREAKER_THRESHOLD: '1000',
    });
  });
  afterAll(async () => {
    await t.close();
    await flaky.close();
  });

  it('an intermittently failing backend gets at most 20 % extra attempts', async () => {
    let failedEntries = 0;
    for (let i = 0; i < ORIGINALS; i++) {
      const body = await json(await fetch(`${t.baseUrl}/api/fanout`));
      if (!body.backends[0].ok) failedEntries++;
    }
    const retries = flaky.hits - ORIGINALS;
    expect(retries).toBeGreaterThan(0); // retries do happen (each one turned a failure around)
    expect(retries).toBeLessThanOrEqual(ORIGINALS * 0.2);
    expect(failedEntries).toBeGreaterThan(0); // the failures the budget did not cover show
    const metrics = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(metrics).toContain(
      `upstream_retries_total{backend="${new URL(flaky.url).host}"} ${retries}`,
    );
    expect(metrics).toMatch(/upstream_retry_budget_exhausted_total\{[^}]*\} [1-9]/);
  });
});

describe('what is retried, and what never is', () => {
  const servers: Record<string, BackendServer> = {};
  const names = ['get', 'post', 'keyed', 'breaker', 'retryAfter', 'deadline', 'headers'];
  let t: TestApp;
  let upstream: UpstreamService;
  const backend = (name: string) =>
    upstream.backends.find((b) => b.url === servers[name]?.url) ?? fail(name);

  beforeAll(async () => {
    for (const name of names) servers[name] = await new BackendServer(failFirst(1)).start();
    t = await startTestAppWithDatabase({
      BACKEND_URLS: names.map((n) => servers[n]?.url).join(','),
      UPSTREAM_RETRY_MAX: '2',
      UPSTREAM_RETRY_BUDGET_PERCENT: '100',
      UPSTREAM_RETRY_BASE_DELAY_MS: '5',
      UPSTREAM_BREAKER_THRESHOLD: '2',
    });
    upstream = t.app.get(UpstreamService);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  it('an idempotent GET is retried after a 503 and succeeds', async () => {
    const res = await upstream.request(backend('get'), { path: '/x' });
    expect(res.status).toBe(200);
    expect(servers.get?.hits).toBe(2);
  });

  it('a POST is never retried', async () => {
    const call = upstream.request(backend('post'), { method: 'POST', path: '/x', body: '{}' });
    await expect(call).rejects.toMatchObject({ code: 'UPSTREAM_BAD_STATUS', upstreamStatus: 503 });
    expect(servers.post?.hits).toBe(1);
  });

  it('a POST with an Idempotency-Key is retried', async () => {
    const res = await upstream.request(backend('keyed'), {
      method: 'POST',
      path: '/x',
      headers: { 'Idempotency-Key': 'k-1' },
    });
    expect(res.status).toBe(200);
    expect(servers.keyed?.hits).toBe(2);
  });

  it('an open breaker is never retried, even with retries and budget left', async () => {
    const server = servers.breaker as BackendServer;
    server.handler = answer(200);
    for (let i = 0; i < 5; i++) await upstream.request(backend('breaker'), { path: '/' }); // bank
    server.handler = answer(503);
    const error = await upstream.request(backend('breaker'), { path: '/' }).catch((e) => e);
    // The call fails, its retry fails and opens the breaker (threshold 2): no second retry,
    // though UPSTREAM_RETRY_MAX is 2 and the budget holds 5 more.
    expect(codeOf(error)).toBe('UPSTREAM_BAD_STATUS');
    expect(server.hits).toBe(5 + 2);
    const again = await upstream.request(backend('breaker'), { path: '/' }).catch((e) => e);
    expect(codeOf(again)).toBe('UPSTREAM_CIRCUIT_OPEN');
    expect(server.hits).toBe(5 + 2);
  });

  it("honours the backend's Retry-After", async () => {
    const server = servers.retryAfter as BackendServer;
    server.handler = failFirst(1, { 'retry-after': '1' });
    const started = Date.now();
    const res = await upstream.request(backend('retryAfter'), { path: '/' });
    expect(res.status).toBe(200);
    expect(server.hits).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('never retries past the deadline: a Retry-After beyond it ends the call at once', async () => {
    const server = servers.deadline as BackendServer;
    server.handler = failFirst(1, { 'retry-after': '10' });
    const deadlineMs = 5_000;
    const started = Date.now();
    const error = await inRequest(deadlineMs, () =>
      upstream.request(backend('deadline'), { path: '/' }),
    ).catch((e) => e);
    expect(codeOf(error)).toBe('UPSTREAM_BAD_STATUS');
    expect(server.hits).toBe(1);
    // Waiting for the retry could only have ended at the deadline: it came well before.
    expect(Date.now() - started).toBeLessThan(deadlineMs);
  });

  it('forwards x-request-id and what is left of the deadline, less the margin', async () => {
    const server = servers.headers as BackendServer;
    server.handler = answer(200);
    const started = Date.now();
    await inRequest(1_000, () => upstream.request(backend('headers'), { path: '/h' }));
    const elapsed = Date.now() - started;
    const headers = server.received[0]?.headers ?? {};
    expect(headers['x-request-id']).toBe('req-under-test');
    const forwarded = Number(/^(\d+)ms$/.exec(String(headers['x-request-timeout']))?.[1]);
    // 1 000 ms less the margin (UPSTREAM_DEADLINE_MARGIN_MS, 50) less what had elapsed by the
    // send, which is at most what the whole call took.
    expect(forwarded).toBeLessThanOrEqual(1_000 - 50);
    expect(forwarded).toBeGreaterThanOrEqual(1_000 - 50 - elapsed - 1);
  });
});

/** Runs `fn` inside a request context with `timeoutMs` left, as a handler would. */
function inRequest<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('deadline')), timeoutMs);
  const ctx = {
    requestId: 'req-under-test',
    deadline: Date.now() + timeoutMs,
    signal: controller.signal,
    startedAt: Date.now(),
  };
  return runInRequest(ctx, fn).finally(() => clearTimeout(timer));
}

function fail(name: string): never {
  throw new Error(`no backend ${name}`);
}
