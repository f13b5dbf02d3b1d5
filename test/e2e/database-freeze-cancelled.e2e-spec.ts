/**
 * PostgreSQL frozen (SIGSTOP) while requests with short deadlines hold every pooled connection.
 * At each deadline the statement is cancelled, but a frozen server never acts on the cancel: the
 * connection stayed checked out until DB_QUERY_TIMEOUT_MS, seconds after the request that used it
 * had its 504, keeping the pool's slots (and sockets) from everyone else. Now a cancelled
 * statement unanswered DB_HEALTH_TIMEOUT_MS later has its connection destroyed and the slot
 * freed, once per statement: a coalesced create's transaction only once its last caller left.
 */
import pg from 'pg';
import { AdminClient } from '../support/admin-client.js';
import { sleep } from '../support/data-load.js';
import { json } from '../support/http.js';
import { openEveryConnection } from '../support/pool-fill.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually } from '../support/wait.js';

const POOL = 4;
const QUERY_TIMEOUT_MS = 10_000;
/**
 * Wide on purpose: the first check reads the pool after the test's own process has read the
 * 504s, and on a busy machine that reading can lag the app's answer by hundreds of ms. A grace
 * shorter than that lag lets the slots go before the check looks (seen in CI: 1 used, not 4).
 */
const GRACE_MS = 1_500;
const SHORT_DEADLINE_MS = 300;
/** The coalesced create's second caller stays well past the others' deadlines and grace. */
const JOINER_DEADLINE_MS = 4_000;

interface Answer {
  status: number;
  code?: string;
  id?: string;
  at: number;
}

interface PoolSample {
  at: number;
  used: number;
}

describe('PostgreSQL frozen while short-deadline requests hold every pooled connection', () => {
  let server: ThrowawayPostgres;
  let t: TestApp;
  let close: (() => Promise<void>) | undefined;
  let admin: AdminClient;
  const acknowledged: string[] = [];
  const samples: PoolSample[] = [];
  let sampling = false;
  let plain: Answer[];
  let leader: Answer;
  let joiner: Answer;
  let failuresBefore: number;
  let failuresFrozen: number;
  let frozenRefusal: Answer;

  const used = async () => (await admin.metric('db_client_connection_count', { state: 'used' }))!;
  const failures = async () =>
    (await admin.metric('db_client_failures_total', { code: 'DB_QUERY_TIMEOUT' })) ?? 0;

  async function create(name: string, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await json(res);
    const answer = { status: res.status, code: body.code, id: body.id, at: performance.now() };
    if (res.status === 201) acknowledged.push(body.id as string);
    return answer;
  }

  async function sample(): Promise<void> {
    while (sampling) {
      samples.push({ at: performance.now(), used: await used() });
      await sleep(25);
    }
  }

  beforeAll(async () => {
    ({ server, t, close } = await startOnThrowawayPostgres({
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: '8000',
      DB_HEALTH_TIMEOUT_MS: String(GRACE_MS),
      DB_BREAKER_PROBE_INTERVAL_MS: '300',
      DB_POOL_MAX: String(POOL),
    }));
    admin = new AdminClient(() => t.adminUrl);
    // Every connection of the pool open and idle: each request below takes one at once.
    await openEveryConnection(server, t.adminUrl, POOL, () =>
      Array.from({ length: POOL }, (_, i) => create(`warm-${i}`)),
    );
    failuresBefore = await failures();

    await server.signalAll('SIGSTOP');
    sampling = true;
    const sampler = sample();
    const short = { 'x-request-timeout': `${SHORT_DEADLINE_MS}ms` };
    const plainCreates = Array.from({ length: POOL - 1 }, (_, i) => create(`frozen-${i}`, short));
    // One transaction for both (idempotent-create.flights.ts): cancelled when the joiner leaves.
    const key = { 'idempotency-key': 'frozen-flight' };
    const leading = create('frozen-flight', { ...key, ...short });
    await sleep(50);
    const joining = create('frozen-flight', {
      ...key,
      'x-request-timeout': `${JOINER_DEADLINE_MS}ms`,
    });
    [plain, leader, joiner] = await Promise.all([Promise.all(plainCreates), leading, joining]);
    // Past the statements' own DB_QUERY_TIMEOUT_MS, where a second count would show.
    await sleep(QUERY_TIMEOUT_MS - JOINER_DEADLINE_MS + 500);
    failuresFrozen = (await failures()) - failuresBefore;
    frozenRefusal = await create('refused', short);
    sampling = false;
    await sampler;
    await server.signalAll('SIGCONT');
  }, 60_000);

  afterAll(() => close?.());

  it('each request gets its 504 at its deadline, the joiner at its own', () => {
    for (const answer of [...plain, leader]) {
      expect({ status: answer.status, code: answer.code }).toEqual({
        status: 504,
        code: 'REQUEST_DEADLINE_EXCEEDED',
      });
    }
    expect({ status: joiner.status, code: joiner.code }).toEqual({
      status: 504,
      code: 'REQUEST_DEADLINE_EXCEEDED',
    });
  });

  it('the cancelled statements free their slots a grace after their callers left, not at DB_QUERY_TIMEOUT_MS', () => {
    const answered = Math.max(...plain.map((a) => a.at), leader.at);
    const at = (from: number, when: (s: PoolSample) => boolean) =>
      samples.find((s) => s.at >= from && when(s));
    // Every slot still held once the short deadlines passed: the cancel alone frees nothing.
    expect(at(answered, () => true)?.used).toBe(POOL);
    // The three plain statements' slots come back while the joiner still waits; the shared
    // transaction, still wanted by the joiner, keeps its own.
    const plainFreed = at(answered, (s) => s.used <= 1);
    expect(plainFreed).toBeDefined();
    process.stdout.write(
      `frozen: plain slots freed ${Math.round(plainFreed!.at - answered)} ms after their 504s\n`,
    );
    expect(plainFreed!.at - answered).toBeLessThan(QUERY_TIMEOUT_MS / 3);
    expect(plainFreed!.at).toBeLessThan(joiner.at);
    expect(plainFreed!.used).toBe(1);
    const allFreed = at(joiner.at, (s) => s.used === 0);
    expect(allFreed).toBeDefined();
    expect(allFreed!.at - joiner.at).toBeLessThan(QUERY_TIMEOUT_MS / 3);
    process.stdout.write(
      `frozen: the flight's slot freed ${Math.round(allFreed!.at - joiner.at)} ms after its last ` +
        `caller left (grace ${GRACE_MS} ms, query timeout ${QUERY_TIMEOUT_MS} ms)\n`,
    );
  });

  it('each destroyed connection counts once against the server, as a DB_QUERY_TIMEOUT, and the breaker opens', () => {
    expect(failuresFrozen).toBe(POOL);
    expect({ status: frozenRefusal.status, code: frozenRefusal.code }).toEqual({
      status: 503,
      code: 'DB_CIRCUIT_OPEN',
    });
  });

  it('after SIGCONT the breaker closes, every request is served, and acknowledged writes are present', async () => {
    await eventually(async () => (await admin.metric('db_client_circuit_state')) === 0, 10_000);
    const answers = await Promise.all(
      Array.from({ length: POOL * 2 }, (_, i) => create(`thawed-${i}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(await used()).toBeLessThanOrEqual(POOL);

    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM items WHERE id = ANY($1::bigint[])',
        [acknowledged],
      );
      expect(Number(rows[0]!.n)).toBe(acknowledged.length);
      // The destroyed connections' sessions end once the server reads them closed.
      await eventually(async () => {
        const sessions = await client.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'rampart'",
        );
        return Number(sessions.rows[0]!.n) <= POOL;
      }, 10_000);
    } finally {
      await client.end();
    }
  });
});
