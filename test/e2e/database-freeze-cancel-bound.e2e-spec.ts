/**
 * A frozen PostgreSQL (SIGSTOP) meets statements whose callers left (deadline) shortly before
 * the statements' own DB_QUERY_TIMEOUT_MS, which then comes before the cancel's grace
 * (DB_HEALTH_TIMEOUT_MS, set long here). Such a statement ended as its caller's abort, and its
 * query timeout counted nothing against the server; it is the same silence the grace counts
 * (database-freeze-cancelled.e2e-spec.ts), so it now counts once too: one DB_QUERY_TIMEOUT per
 * statement, whichever bound comes first, never both.
 */
import { AdminClient } from '../support/admin-client.js';
import { sleep } from '../support/data-load.js';
import { json } from '../support/http.js';
import { openEveryConnection } from '../support/pool-fill.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';

const POOL = 4;
const STATEMENTS = 3;
/** Under 0.5 s: no suspicion probe (database.call-runner.ts), so only the statements count. */
const DEADLINE_MS = 400;
const QUERY_TIMEOUT_MS = 1_500;
const GRACE_MS = 3_000;

describe('PostgreSQL frozen: a cancelled statement that reaches its own query timeout before the grace', () => {
  let server: ThrowawayPostgres;
  let t: TestApp;
  let close: (() => Promise<void>) | undefined;
  let statuses: number[];
  let counted: number;
  let breaker: number | undefined;

  beforeAll(async () => {
    ({ server, t, close } = await startOnThrowawayPostgres({
      DB_STATEMENT_TIMEOUT_MS: '1400',
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DB_HEALTH_TIMEOUT_MS: String(GRACE_MS),
      DB_POOL_MAX: String(POOL),
    }));
    const admin = new AdminClient(() => t.adminUrl);
    const create = (name: string, headers: Record<string, string> = {}) =>
      fetch(`${t.baseUrl}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name }),
      }).then(async (res) => ({ status: res.status, code: (await json(res)).code as string }));
    const failures = async () =>
      (await admin.metric('db_client_failures_total', { code: 'DB_QUERY_TIMEOUT' })) ?? 0;
    await openEveryConnection(server, t.adminUrl, POOL, () =>
      Array.from({ length: POOL }, (_, i) => create(`warm-${i}`)),
    );
    const before = await failures();
    await server.signalAll('SIGSTOP');
    const answers = await Promise.all(
      Array.from({ length: STATEMENTS }, (_, i) =>
        create(`frozen-${i}`, { 'x-request-timeout': `${DEADLINE_MS}ms` }),
      ),
    );
    statuses = answers.map((a) => a.status);
    // Past where the grace would have ended too: a second count would show by now.
    await sleep(DEADLINE_MS + GRACE_MS);
    counted = (await failures()) - before;
    breaker = await admin.metric('db_client_circuit_state');
    await server.signalAll('SIGCONT');
  }, 60_000);

  afterAll(() => close?.());

  it('each statement counts once, as DB_QUERY_TIMEOUT, and the breaker opens', () => {
    expect(statuses).toEqual(statuses.map(() => 504));
    expect(counted).toBe(STATEMENTS);
    expect(breaker).toBe(1);
  });
});
