import pg from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { pinnedAdmission, startTestApp, type TestApp } from '../support/test-app.js';

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * One test opens 1,000 connections at once to one instance on purpose: edge admission
 * (connection cap, adaptive limit, listen backlog) would refuse part of them by design, which
 * is not what these tests are about.
 */
const ENV = {
  ACCESS_LOG_ENABLED: 'false',
  ADMISSION_ENABLED: 'false',
  HTTP_MAX_CONNECTIONS: '0',
  HTTP_LISTEN_BACKLOG: '4096',
};

describe('write combining of counter increments (real PostgreSQL)', () => {
  const agent = new Agent({ connections: 1_000 });
  let db: TestDatabase;
  let t: TestApp;
  let locker: pg.Client;
  const APP_NAME = `rampart-combining-${process.pid}`;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    t = await startTestApp({ ...ENV, DATABASE_URL: db.url, DB_APPLICATION_NAME: APP_NAME });
    locker = new pg.Client({ connectionString: db.url, application_name: 'rampart-test-locker' });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined);
    await locker?.end();
    await agent.close();
    await t?.close();
    await db?.drop();
  });

  async function increment(
    app: TestApp,
    name: string,
    by = 1,
    init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<{ status: number; body: JsonBody }> {
    const res = await undiciFetch(`${app.baseUrl}/api/counters/${name}/increment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: JSON.stringify({ by }),
      signal: init.signal,
      dispatcher: agent,
    });
    return { status: res.status, body: (await res.json()) as JsonBody };
  }

  async function metric(app: TestApp, sample: string): Promise<number> {
    const families = parsePrometheusText(await (await fetch(`${app.adminUrl}/metrics`)).text());
    for (const family of families.values()) {
      const found = family.samples.find((s) => s.name === sample);
      if (found) return found.value;
    }
    throw new Error(`no sample ${sample}`);
  }

  async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > 10_000) throw new Error(`${what}: not within 10 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Holds the row so the statement in flight for it waits on the lock, and others queue. */
  async function holdRow(name: string, value: number): Promise<void> {
    await holdRows([name], value);
  }

  /** Holds every row in `names`, each set to `value`, in one transaction of the locker's. */
  async function holdRows(names: string[], value = 0): Promise<void> {
    for (const name of names) {
      await adminQuery(
        `INSERT INTO counters (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
        [name, value],
        db.url,
      );
    }
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM counters WHERE name = ANY($1) FOR UPDATE', [names]);
  }

  /** An instance of its own with admission on, its limit pinned at 2 and no queue. */
  const startLimitedToTwo = () =>
    startTestApp({
      ...ENV,
      ...pinnedAdmission(2),
      ADMISSION_QUEUE_MAX: '0',
      DATABASE_URL: db.url,
      DB_APPLICATION_NAME: APP_NAME,
    });

  const statementWaitingOnLock = async () =>
    (await lockWaiters(db.url, { application: APP_NAME })).length === 1;
  const queued = (n: number) => async () => (await metric(t, 'counters_increments_queued')) === n;

  it('1,000 concurrent increments of one counter take at most 100 statements, as PostgreSQL counts them', async () => {
    // A database and an instance of its own: the table's statistics then count only this load,
    // and closing the instance ends its sessions, which flushes their statistics.
    const own = await createPostgresDatabase();
    const app = await startTestApp({ ...ENV, DATABASE_URL: own.url });
    let open = true;
    try {
      // Sockets opened first, so the increments arrive together rather than one per connect.
      await Promise.all(
        Array.from({ length: 1_000 }, async () => {
          const res = await undiciFetch(`${app.baseUrl}/api/counters/combined`, {
            dispatcher: agent,
          });
          await res.arrayBuffer();
        }),
      );
      const results = await Promise.all(
        Array.from({ length: 1_000 }, () => increment(app, 'combined')),
      );
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      const values = results.map((r) => r.body.value as number).sort((x, y) => x - y);
      expect(values).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
      const sent = await metric(app, 'counters_increment_batch_size_count');
      expect(await metric(app, 'counters_increment_batch_size_sum')).toBe(1_000);
      await app.close();
      open = false;
      const written = async () => {
        const [row] = await adminQuery<{ n: string }>(
          `SELECT (n_tup_ins + n_tup_upd)::text AS n FROM pg_stat_user_tables
           WHERE relname = 'counters'`,
          [],
          own.url,
        );
        return Number(row?.n);
      };
      // Each successful statement inserts or updates exactly one row.
      await waitFor('statistics flushed', async () => (await written()) === sent);
      expect(sent).toBeGreaterThanOrEqual(2);
      expect(sent).toBeLessThanOrEqual(100);
    } finally {
      if (open) await app.close();
      await own.drop();
    }
  });

  it('a caller that times out or disconnects while queued behind an in-flight statement is not applied', async () => {
    const countBefore = await metric(t, 'counters_increment_batch_size_count');
    const withdrawnBefore = await metric(t, 'counters_increments_withdrawn_total');
    await holdRow('held', 0);
    const lead = increment(t, 'held');
    await waitFor('lead statement blocked on the row', statementWaitingOnLock);
    const stayers = Array.from({ length: 5 }, () => increment(t, 'held'));
    const disconnect = new AbortController();
    const disconnects = increment(t, 'held', 1_000, { signal: disconnect.signal }).catch(
      (e: unknown) => e,
    );
    await waitFor('6 increments queued', queued(6));

    // Queued at once behind the blocked statement, then its deadline passes.
    const late = await increment(t, 'held', 100, { headers: { 'x-request-timeout': '300ms' } });
    expect(late.status).toBe(504);
    expect(late.body.code).toBe('REQUEST_DEADLINE_EXCEEDED');
    disconnect.abort();
    expect(await disconnects).toHaveProperty('name', 'AbortError');
    await waitFor('both withdrawn', queued(5));
    expect(await metric(t, 'counters_increments_withdrawn_total')).toBe(withdrawnBefore + 2);

    await locker.query('COMMIT');
    const answered = [await lead, ...(await Promise.all(stayers))];
    expect(answered.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(answered.map((r) => r.body.value as number).sort((x, y) => x - y)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    // Neither 100 nor 1,000 reached the row: one statement for the lead, one for the five.
    expect((await json(await fetch(`${t.baseUrl}/api/counters/held`))).value).toBe(6);
    expect(await metric(t, 'counters_increment_batch_size_count')).toBe(countBefore + 2);
  });

  it('a statement the database rejects fails every caller of its batch with the same problem', async () => {
    await adminQuery(
      `CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'counter % is doomed', NEW.name; END $$;
       CREATE TRIGGER refuse_doomed BEFORE UPDATE ON counters FOR EACH ROW
         WHEN (NEW.name = 'doomed') EXECUTE FUNCTION refuse_doomed();`,
      [],
      db.url,
    );
    try {
      await holdRow('doomed', 7);
      const lead = increment(t, 'doomed');
      await waitFor('lead statement blocked on the row', statementWaitingOnLock);
      const batch = Array.from({ length: 10 }, () => increment(t, 'doomed'));
      await waitFor('10 increments queued', queued(10));
      await locker.query('ROLLBACK');

      const leadAnswer = await lead;
      expect(leadAnswer.status).toBe(500);
      expect(leadAnswer.body.code).toBe('COUNTER_INCREMENT_FAILED');
      const answers = await Promise.all(batch);
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([500]));
      expect(new Set(answers.map((a) => a.body.code))).toEqual(
        new Set(['COUNTER_INCREMENT_FAILED']),
      );
      // One statement carried the ten, and says so: the same detail for each of them.
      expect(new Set(answers.map((a) => a.body.detail))).toEqual(
        new Set([
          'The statement adding this and 9 other increment(s) to counter doomed failed; none was applied.',
        ]),
      );
      expect((await json(await fetch(`${t.baseUrl}/api/counters/doomed`))).value).toBe(7);
    } finally {
      await adminQuery(
        'DROP TRIGGER refuse_doomed ON counters; DROP FUNCTION refuse_doomed()',
        [],
        db.url,
      );
    }
  });

  it('a batch past the safe integer range is retried one by one: only the increment that does not fit gets 409', async () => {
    await holdRow('edge', MAX - 10);
    const lead = increment(t, 'edge', 1);
    await waitFor('lead statement blocked on the row', statementWaitingOnLock);
    const steps = [4, 8, 3, 2];
    const batch: Array<Promise<{ status: number; body: JsonBody }>> = [];
    for (const [i, by] of steps.entries()) {
      batch.push(increment(t, 'edge', by));
      // Arrival order decides which step no longer fits, so let each arrive before the next.
      await waitFor(`${i + 1} queued`, queued(i + 1));
    }
    await locker.query('COMMIT');

    expect((await lead).body.value).toBe(MAX - 9);
    const answers = await Promise.all(batch);
    expect(answers.map((a) => (a.status === 200 ? a.body.value : a.body.code))).toEqual([
      MAX - 5,
      'COUNTER_OUT_OF_RANGE',
      MAX - 2,
      MAX,
    ]);
    expect((await json(await fetch(`${t.baseUrl}/api/counters/edge`))).value).toBe(MAX);
  });

  // Admission on, its limit pinned to 2 and no queue: a third request in flight is refused at
  // once. The lead increment, sent at once, holds its slot while its statement waits on the row;
  // an increment queued behind it is parked (admission/admission.slot.ts) and lends its slot, so
  // increments queued behind a held row are all let in, none refused.
  it('with admission limited to 2, increments parked behind a held row lend their slot: 20 let in, none refused', async () => {
    const admitted = await startLimitedToTwo();
    try {
      await holdRow('parked', 0);
      const lead = increment(admitted, 'parked');
      await waitFor('lead statement blocked on the row', statementWaitingOnLock);
      const rest = Array.from({ length: 20 }, () => increment(admitted, 'parked'));
      await waitFor(
        '20 queued',
        async () => (await metric(admitted, 'counters_increments_queued')) === 20,
      );
      // All 21 are waiting; only the lead, whose statement is in flight, holds a slot.
      expect(await metric(admitted, 'http_server_admission_in_flight')).toBe(1);
      expect(await metric(admitted, 'http_server_admission_parked')).toBe(20);
      await locker.query('COMMIT');

      const answers = [await lead, ...(await Promise.all(rest))];
      expect(answers.map((a) => a.status)).toEqual(Array<number>(21).fill(200));
      expect(answers.map((a) => a.body.value).sort((x, y) => Number(x) - Number(y))).toEqual(
        Array.from({ length: 21 }, (_, i) => i + 1),
      );
      const text = await (await fetch(`${admitted.adminUrl}/metrics`)).text();
      const refused = parsePrometheusText(text)
        .get('http_server_admission_rejections_total')
        ?.samples.filter((sample) => sample.value > 0);
      expect(refused).toEqual([]);
      await waitFor(
        'no request left parked or in flight',
        async () =>
          (await metric(admitted, 'http_server_admission_parked')) === 0 &&
          (await metric(admitted, 'http_server_admission_in_flight')) === 0,
      );
    } finally {
      await admitted.close();
    }
  });
  // A lone increment's statement waits for a pooled connection and the row: queueing the limiter
  // must see. Increments of distinct counters, each alone in its statement, keep their slots, so
  // past the limit the next request is refused at once (503 CONCURRENCY_LIMITED) rather than let
  // in to wait for a connection (DB_POOL_TIMEOUT after its budget).
  it('with admission limited to 2, two increments of distinct held rows hold both slots: a third request is refused at once', async () => {
    const admitted = await startLimitedToTwo();
    try {
      await holdRows(['lone-a', 'lone-b']);
      const held = [increment(admitted, 'lone-a'), increment(admitted, 'lone-b')];
      await waitFor(
        'both statements blocked on their rows',
        async () => (await lockWaiters(db.url, { application: APP_NAME })).length === 2,
      );
      expect(await metric(admitted, 'http_server_admission_in_flight')).toBe(2);
      expect(await metric(admitted, 'http_server_admission_parked')).toBe(0);

      const third = await increment(admitted, 'lone-c');
      expect(third.status).toBe(503);
      expect(third.body.code).toBe('CONCURRENCY_LIMITED');

      await locker.query('COMMIT');
      expect((await Promise.all(held)).map((a) => [a.status, a.body.value])).toEqual([
        [200, 1],
        [200, 1],
      ]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await admitted.close();
    }
  });
});
