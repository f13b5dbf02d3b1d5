/**
 * PostgreSQL frozen (SIGSTOP) while every client's deadline is shorter than DB_QUERY_TIMEOUT_MS:
 * no statement ever reaches the query timeout, so no call fails as the server's fault, and the
 * breaker never opened: every request spent its whole budget waiting (504s, ~5 requests/s).
 * Statements ended by their caller after running a while now make the policy ask the server
 * directly (database.policy.ts `suspect`); unanswered probes open the breaker, data routes answer
 * fast 503 DB_CIRCUIT_OPEN, and the breaker closes by itself after the thaw.
 */
import { DataLoad, sleep, type DataResult } from '../support/data-load.js';
import { json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually } from '../support/wait.js';

const WORKERS = 8;

interface Freeze {
  /** Settings beside the ones every case shares. */
  env: Record<string, string>;
  /** Every client's x-request-timeout, ms. */
  deadlineMs: number;
  frozenMs: number;
  /** An empty pool: idle connections closed, the server frozen before the load starts. */
  emptyPool: boolean;
  /** A failure bound for every worker to be served again after the thaw. */
  servedWithinMs: number;
}

/**
 * A throwaway PostgreSQL frozen (SIGSTOP) for `frozenMs` under eight workers whose deadlines are
 * all `deadlineMs`: the breaker must open during the freeze, nothing may hang, and every worker
 * must be served again after the thaw.
 */
function describeFreeze(title: string, freeze: Freeze): void {
  describe(title, () => {
    let server: ThrowawayPostgres;
    let t: TestApp;
    let close: (() => Promise<void>) | undefined;
    let results: DataResult[];
    let freezeAt: number;
    let thawAt: number;

    beforeAll(async () => {
      ({ server, t, close } = await startOnThrowawayPostgres({
        DB_HEALTH_TIMEOUT_MS: '300',
        DB_BREAKER_PROBE_INTERVAL_MS: '300',
        ...freeze.env,
      }));
      const headers = { 'x-request-timeout': `${freeze.deadlineMs}ms` };
      let load: DataLoad;
      if (freeze.emptyPool) {
        await eventually(
          async () =>
            (await json(await fetch(`${t.baseUrl}/readyz?verbose`))).details.database.pool.total ===
            0,
          10_000,
        );
        await server.signalAll('SIGSTOP');
        freezeAt = performance.now();
        load = new DataLoad(t.baseUrl, WORKERS, 'empty', headers);
      } else {
        load = new DataLoad(t.baseUrl, WORKERS, 'short', headers);
        await sleep(1_000);
        freezeAt = performance.now();
        await server.signalAll('SIGSTOP');
      }
      await sleep(freeze.frozenMs);
      await server.signalAll('SIGCONT');
      thawAt = performance.now();
      await load.untilEveryWorkerServedSince(thawAt, WORKERS, freeze.servedWithinMs);
      results = await load.stop();
    }, 60_000);

    afterAll(() => close?.());

    it('the breaker opens during the freeze: data routes answer 503 DB_CIRCUIT_OPEN', () => {
      const frozen = results.filter((r) => r.startedAt >= freezeAt && r.endedAt <= thawAt);
      expect(frozen.map((r) => r.code)).toContain('DB_CIRCUIT_OPEN');
      // Once open, refusals are fast: more requests were answered while frozen than the
      // deadline-bound ones alone allow.
      expect(frozen.length).toBeGreaterThan((WORKERS * freeze.frozenMs) / freeze.deadlineMs);
    });

    it('nothing hangs: every request got an HTTP answer', () => {
      expect(results.filter((r) => r.status === 0)).toEqual([]);
    });

    it('serves every worker again after the thaw', () => {
      const served = new Set(
        results.filter((r) => r.startedAt > thawAt && r.status < 300).map((r) => r.worker),
      );
      expect(served.size).toBe(WORKERS);
    });
  });
}

describeFreeze('PostgreSQL frozen while clients send deadlines shorter than the query timeout', {
  env: {
    DB_QUERY_TIMEOUT_MS: '5000',
    DB_STATEMENT_TIMEOUT_MS: '4000',
    DB_CONNECT_TIMEOUT_MS: '1000',
  },
  deadlineMs: 1_000,
  frozenMs: 5_000,
  emptyPool: false,
  servedWithinMs: 8_000,
});

/**
 * The same freeze met by an empty pool (idle connections closed, as at low traffic or after a
 * failover): every request waits for a connect, not a statement. The connect was not tied to
 * the caller's signal and its abandonment counted as the caller's: for as long as the server
 * hung, each request spent its whole deadline (504) and the breaker never opened.
 */
describeFreeze('PostgreSQL frozen while the pool has no connection open', {
  env: { DB_IDLE_TIMEOUT_MS: '200', DB_CONNECT_TIMEOUT_MS: '3000' },
  deadlineMs: 800,
  frozenMs: 4_000,
  emptyPool: true,
  servedWithinMs: 10_000,
});
