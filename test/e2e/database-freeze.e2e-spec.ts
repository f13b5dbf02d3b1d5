import pg from 'pg';
import { DataLoad, sleep, type DataResult } from '../support/data-load.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';

const QUERY_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 10_000;
const WORKERS = 8;

describe('PostgreSQL frozen (SIGSTOP) under load, then continued', () => {
  let server: ThrowawayPostgres;
  let t: TestApp;
  let close: (() => Promise<void>) | undefined;
  let results: DataResult[];
  let freezeAt: number;
  let thawAt: number;
  let load: DataLoad;

  beforeAll(async () => {
    ({ server, t, close } = await startOnThrowawayPostgres({
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: '1000',
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_HEALTH_TIMEOUT_MS: '500',
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    }));

    load = new DataLoad(t.baseUrl, WORKERS, 'freeze');
    await sleep(1_000);
    freezeAt = performance.now();
    await server.signalAll('SIGSTOP');
    await sleep(4_000);
    await server.signalAll('SIGCONT');
    thawAt = performance.now();
    // Run on until every worker has been served again, or 8 s: the recovery assertion says which.
    await load.untilEveryWorkerServedSince(thawAt, WORKERS, 8_000);
    await sleep(300);
    results = await load.stop();
  }, 60_000);

  afterAll(() => close?.());

  const frozen = () => results.filter((r) => r.startedAt >= freezeAt && r.endedAt <= thawAt);

  it('every request is answered: 2xx, or 503 problem+json with a database code — no hang, no 504', () => {
    const codes = new Set<string>();
    for (const r of results) {
      if (r.status < 300) continue;
      expect({ status: r.status, contentType: r.contentType }).toEqual({
        status: 503,
        contentType: expect.stringContaining('application/problem+json'),
      });
      codes.add(r.code ?? '');
    }
    for (const code of codes) {
      expect([
        'DB_QUERY_TIMEOUT',
        'DB_CIRCUIT_OPEN',
        'DB_UNAVAILABLE',
        'DB_POOL_TIMEOUT',
        'DB_POOL_SATURATED',
      ]).toContain(code);
    }
  });

  it('statements in flight at the freeze are given up at the client-side timeout, not the request deadline', () => {
    const held = results.filter((r) => r.code === 'DB_QUERY_TIMEOUT');
    expect(held.length).toBeGreaterThan(0);
    for (const r of held) {
      const waited = r.endedAt - Math.max(r.startedAt, freezeAt);
      expect(waited).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50);
      expect(waited).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
    }
  });

  it('after the first timeouts the breaker answers fast 503 DB_CIRCUIT_OPEN instead of each request waiting its budget', () => {
    const fast = frozen().filter((r) => r.code === 'DB_CIRCUIT_OPEN');
    // Many more answers than the workers could get if each waited a query timeout.
    const budgetBound = WORKERS * Math.ceil(4_000 / QUERY_TIMEOUT_MS);
    expect(fast.length).toBeGreaterThan(budgetBound * 5);
    const durations = fast.map((r) => r.endedAt - r.startedAt).sort((a, b) => a - b);
    const p90 = durations[Math.floor(durations.length * 0.9)] ?? Infinity;
    expect(p90).toBeLessThan(QUERY_TIMEOUT_MS / 10);
    const openFor = thawAt - Math.min(...fast.map((r) => r.startedAt));
    process.stdout.write(
      `freeze: ${results.filter((r) => r.code === 'DB_QUERY_TIMEOUT').length} query timeouts, ` +
        `${fast.length} DB_CIRCUIT_OPEN in ${(openFor / 1000).toFixed(1)} s ` +
        `(${Math.round(fast.length / (openFor / 1000))}/s, p90 ${p90.toFixed(1)} ms)\n`,
    );
  });

  it('after SIGCONT every worker is served again within 5 s, without a restart', () => {
    for (let w = 0; w < WORKERS; w++) {
      const first = results.find((r) => r.worker === w && r.startedAt > thawAt && r.status < 300);
      expect({ worker: w, served: first !== undefined }).toEqual({ worker: w, served: true });
      expect(first!.endedAt - thawAt).toBeLessThan(5_000);
    }
    const recovered = Math.min(
      ...results.filter((r) => r.startedAt > thawAt && r.status < 300).map((r) => r.endedAt),
    );
    process.stdout.write(`freeze: first 2xx ${Math.round(recovered - thawAt)} ms after SIGCONT\n`);
  });

  it('every acknowledged write is present afterwards', async () => {
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    try {
      const ids = results.filter((r) => r.op === 'create' && r.status === 201).map((r) => r.value);
      expect(ids.length).toBeGreaterThan(0);
      const found = await client.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM items WHERE id = ANY($1::bigint[])',
        [ids],
      );
      expect(Number(found.rows[0]!.n)).toBe(ids.length);
      for (let w = 0; w < WORKERS; w++) {
        const acked = results
          .filter((r) => r.worker === w && r.op === 'increment' && r.status === 200)
          .map((r) => Number(r.value));
        const { rows } = await client.query<{ value: string }>(
          'SELECT value::text AS value FROM counters WHERE name = $1',
          [load.counterOf(w)],
        );
        // Answers are distinct and none exceeds the stored value; a timed-out increment may
        // have committed after the thaw, so the value may be higher than the acknowledged count.
        expect(new Set(acked).size).toBe(acked.length);
        expect(Number(rows[0]?.value ?? 0)).toBeGreaterThanOrEqual(acked.length);
        expect(Math.max(0, ...acked)).toBeLessThanOrEqual(Number(rows[0]?.value ?? 0));
      }
    } finally {
      await client.end();
    }
  });
});
