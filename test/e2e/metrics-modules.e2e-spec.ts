import { freePort } from '../support/child-process.js';
import { hasPromtool, promtoolFindings } from '../support/promtool.js';
import { parsePrometheusText, sampleValue, type Family } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The instruments other modules declare through MetricsService must reach /metrics, pass the
// same checks as the core set, and move when their event happens.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function scrape(t: TestApp): Promise<Map<string, Family>> {
  const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
  if (hasPromtool) expect(promtoolFindings(text)).toEqual([]);
  return parsePrometheusText(text);
}

describe('module metrics on /metrics: cache, breaker, pool', () => {
  let t: TestApp;
  let deadBackend: string;

  beforeAll(async () => {
    // Nothing listens there: every call fails fast with a connection error.
    deadBackend = `http://127.0.0.1:${await freePort()}`;
    t = await startTestApp({
      DATABASE_URL,
      DB_POOL_MAX: '1',
      // The pool-wait test queues 20 inserts behind one connection; on a loaded machine the
      // queue stands, and a standing queue lets a caller wait two holds (connection.gate.ts):
      // the oldest would be refused (DB_POOL_TIMEOUT) before they are counted. This suite checks
      // the histogram, not CoDel: an interval longer than the test, and the queue never stands.
      DB_POOL_QUEUE_INTERVAL_MS: '60000',
      BACKEND_URLS: deadBackend,
      UPSTREAM_RETRY_MAX: '0',
      UPSTREAM_BREAKER_THRESHOLD: '2',
      UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: '60000',
    });
  });
  afterAll(() => t.close());

  it('a second read of an item is a cache hit', async () => {
    const created = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `metrics-${Date.now()}` }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const hits = (f: Map<string, Family>) =>
      sampleValue(f, 'items_cache_requests_total', { result: 'hit' }) ?? 0;
    const before = hits(await scrape(t));
    for (let i = 0; i < 2; i++) await (await fetch(`${t.baseUrl}/api/items/${id}`)).text();
    expect(hits(await scrape(t)) - before).toBeGreaterThanOrEqual(1);
  });

  it('a failing backend opens its breaker: the transition is counted and the state gauge moves', async () => {
    for (let i = 0; i < 4; i++) await (await fetch(`${t.baseUrl}/api/fanout`)).text();
    const families = await scrape(t);
    expect(
      sampleValue(families, 'upstream_circuit_transitions_total', { state: 'open' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'upstream_circuit_state')).toBe(1);
  });

  it('with one pooled connection, concurrent queries wait: the pool wait histogram moves', async () => {
    const waits = (f: Map<string, Family>) =>
      sampleValue(f, 'db_client_connection_wait_time_seconds_count') ?? 0;
    const before = waits(await scrape(t));
    const creates = Array.from({ length: 20 }, (_, i) =>
      fetch(`${t.baseUrl}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `pool-wait-${Date.now()}-${i}` }),
      }).then(async (r) => {
        await r.text();
        return r.status;
      }),
    );
    expect(await Promise.all(creates)).toEqual(Array.from({ length: 20 }, () => 201));
    const after = await scrape(t);
    expect(waits(after) - before).toBeGreaterThanOrEqual(20);
    // Queued behind one connection, some waits exceed the smallest bucket (0.1 ms).
    const fast = sampleValue(after, 'db_client_connection_wait_time_seconds_bucket', {
      le: '0.0001',
    });
    expect(fast ?? 0).toBeLessThan(waits(after));
    expect(sampleValue(after, 'db_client_connection_max')).toBe(1);
  });
});
