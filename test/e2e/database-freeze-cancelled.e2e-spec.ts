/**
 * PostgreSQL frozen (SIGSTOP) while requests with short deadlines hold every pooled connection.
 * At each deadline the statement is cancelled, but a frozen server never acts on the cancel: the
 * connection stayed checked out until DB_QUERY_TIMEOUT_MS, seconds after the request that used it
 * had its 504, keeping the pool's slots (and sockets) from everyone else. Now a cancelled
 * statement unanswered DB_HEALTH_TIMEOUT_MS later has its connection destroyed and the slot
 * freed, once per statement: a coalesced create's transaction only once its last caller left.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PoolStats } from '../../src/database/database.driver.js';
import { DatabaseService } from '../../src/database/database.service.js';
import { AdminClient } from '../support/admin-client.js';
import { watchAnswers, type SentAnswer } from '../support/answer-watch.js';
import { json } from '../support/http.js';
import { openEveryConnection } from '../support/pool-fill.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually, until } from '../support/wait.js';

const POOL = 4;
const QUERY_TIMEOUT_MS = 10_000;
/**
 * The grace. The pool is read as each 504 is sent (answer-watch.ts): the grace no longer has to
 * outlast this process reading the 504s, which a busy machine stretched past 0.5 s (seen in CI:
 * 1 used, not 4).
 */
const GRACE_MS = 1_500;
const SHORT_DEADLINE_MS = 300;
/** The coalesced create's second caller stays well past the others' deadlines and grace. */
const JOINER_DEADLINE_MS = 4_000;

interface Answer {
  status: number;
  code?: string;
  id?: string;
}

const used = (stats: PoolStats) => stats.total - stats.idle;

describe('PostgreSQL frozen while short-deadline requests hold every pooled connection', () => {
  let server: ThrowawayPostgres;
  let t: TestApp;
  let close: (() => Promise<void>) | undefined;
  let admin: AdminClient;
  let db: DatabaseService;
  let sent: { answers: Map<string, SentAnswer<PoolStats>>; stop(): void };
  const acknowledged: string[] = [];
  const plainIds = Array.from({ length: POOL - 1 }, (_, i) => `frozen-${i}`);
  let plain: Answer[];
  let leader: Answer;
  let joiner: Answer;
  /** When every slot but the flight's was back, and when that one was, in this process. */
  let plainFreedAt: number;
  let allFreedAt: number;
  let failuresBefore: number;
  let failuresFrozen: number;
  let frozenRefusal: Answer;

  const failures = async () =>
    (await admin.metric('db_client_failures_total', { code: 'DB_QUERY_TIMEOUT' })) ?? 0;

  /** A create whose answer watchAnswers keeps under `requestId`. */
  async function create(
    name: string,
    headers: Record<string, string> = {},
    requestId = name,
  ): Promise<Answer> {
    const res = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
      body: JSON.stringify({ name }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await json(res);
    const answer = { status: res.status, code: body.code, id: body.id };
    if (res.status === 201) acknowledged.push(body.id as string);
    return answer;
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
    db = t.app.get(DatabaseService);
    sent = watchAnswers(t.app.getHttpServer(), () => db.stats());
    // Every connection of the pool open and idle: each request below takes one at once.
    await openEveryConnection(server, t.adminUrl, POOL, () =>
      Array.from({ length: POOL }, (_, i) => create(`warm-${i}`)),
    );
    failuresBefore = await failures();

    await server.signalAll('SIGSTOP');
    const short = { 'x-request-timeout': `${SHORT_DEADLINE_MS}ms` };
    const plainCreates = plainIds.map((id) => create(id, short));
    // One transaction for both (idempotent-create.flights.ts): cancelled when the joiner leaves.
    const key = { 'idempotency-key': 'frozen-flight' };
    const leading = create('frozen-flight', { ...key, ...short }, 'leader');
    // Every connection taken: the leader's transaction has begun, and the joiner joins it.
    await until(() => used(db.stats()) === POOL, 10_000);
    const joining = create(
      'frozen-flight',
      { ...key, 'x-request-timeout': `${JOINER_DEADLINE_MS}ms` },
      'joiner',
    );
    const plainFreed = until(() => used(db.stats()) <= 1, QUERY_TIMEOUT_MS).then(
      () => (plainFreedAt = performance.now()),
    );
    [plain, leader, joiner] = await Promise.all([Promise.all(plainCreates), leading, joining]);
    await plainFreed;
    await until(() => used(db.stats()) === 0, QUERY_TIMEOUT_MS);
    allFreedAt = performance.now();
    // Past the statements' own DB_QUERY_TIMEOUT_MS, where a second count would show. Not a race:
    // their timers were set in this process before this one and expire earlier, and Node fires
    // timers in the order they expire, each one's promise callbacks before the next timer.
    await sleep(QUERY_TIMEOUT_MS - JOINER_DEADLINE_MS + 500);
    failuresFrozen = (await failures()) - failuresBefore;
    frozenRefusal = await create('refused', short);
    await server.signalAll('SIGCONT');
  }, 60_000);

  afterAll(async () => {
    sent?.stop();
    await close?.();
  });

  it('each request gets its 504 at its deadline, the joiner at its own', () => {
    for (const answer of [...plain, leader, joiner]) {
      expect({ status: answer.status, code: answer.code }).toEqual({
        status: 504,
        code: 'REQUEST_DEADLINE_EXCEEDED',
      });
    }
  });

  it('the cancelled statements free their slots a grace after their callers left, not at DB_QUERY_TIMEOUT_MS', () => {
    const answer = (id: string) => sent.answers.get(id)!;
    const shortAnswers = [...plainIds, 'leader'].map(answer);
    const lastShort = shortAnswers.reduce((a, b) => (b.at > a.at ? b : a));
    // Every slot still held as the last short deadline's 504 went out: the cancel alone frees
    // nothing.
    expect(used(lastShort.state)).toBe(POOL);
    // As the joiner's 504 went out, the three plain statements' slots were back; the shared
    // transaction, still wanted by the joiner until then, kept its own.
    expect(used(answer('joiner').state)).toBe(1);
    process.stdout.write(
      `frozen: plain slots freed ${Math.round(plainFreedAt - lastShort.at)} ms after their 504s\n`,
    );
    expect(plainFreedAt - lastShort.at).toBeLessThan(QUERY_TIMEOUT_MS / 3);
    const flightFreedMs = allFreedAt - answer('joiner').at;
    expect(flightFreedMs).toBeLessThan(QUERY_TIMEOUT_MS / 3);
    process.stdout.write(
      `frozen: the flight's slot freed ${Math.round(flightFreedMs)} ms after its last ` +
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
    await until(() => db.breakerState === 'closed', 10_000);
    const answers = await Promise.all(
      Array.from({ length: POOL * 2 }, (_, i) => create(`thawed-${i}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(used(db.stats())).toBeLessThanOrEqual(POOL);

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
