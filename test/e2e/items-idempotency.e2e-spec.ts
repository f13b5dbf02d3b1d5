import pg from 'pg';
import { AdminClient } from '../support/admin-client.js';
import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { pinnedAdmission, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

// Concurrent creates with one Idempotency-Key: one transaction per process, the others parked
// on it (items/idempotent-create.flights.ts). The first request is held on a table lock taken
// by the test, so every other one arrives while it is still in the database.
describe('idempotent creates: concurrent retries in one process share one transaction', () => {
  const name = `rampart-idempotent-${process.pid}`;
  let db: TestDatabase;
  let t: TestApp;
  let admin: AdminClient;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    // Admission pinned to two slots with no queue and a pool of two: before coalescing, the
    // retries each took a slot and a connection to wait on the key's index, and were refused.
    t = await startTestApp({
      DATABASE_URL: db.url,
      DB_APPLICATION_NAME: name,
      DB_POOL_MAX: '2',
      ACCESS_LOG_ENABLED: 'false',
      ...pinnedAdmission(2),
      ADMISSION_QUEUE_MAX: '0',
      REQUEST_TIMEOUT_MS: '30000',
    });
    admin = new AdminClient(() => t.adminUrl);
    locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await t?.close();
    await db?.drop();
  });

  /** POST /api/items; `deadline` is the request's x-request-timeout, `signal` its client's. */
  const create = async (
    key: string,
    body: unknown,
    { deadline, signal }: { deadline?: string; signal?: AbortSignal } = {},
  ): Promise<{ status: number; replayed: string | null; item: JsonBody; ms: number }> => {
    const sent = performance.now();
    const res = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        ...(deadline && { 'x-request-timeout': deadline }),
      },
      body: JSON.stringify(body),
      signal,
    });
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed'),
      item: await json(res),
      ms: performance.now() - sent,
    };
  };

  /** Holds every write to the keys table until the returned function is called. */
  async function holdKeys(): Promise<() => Promise<void>> {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE item_idempotency_keys IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await locker.query('COMMIT');
    };
  }

  const coalesced = async () =>
    (await admin.metric('items_idempotent_creates_total', { result: 'coalesced' })) ?? 0;
  const refused = async () =>
    (await admin.metric('http_server_admission_rejections_total', {
      reason: 'concurrency_limit',
    })) ?? 0;
  const itemsNamed = async (itemName: string) => {
    const [row] = await adminQuery<{ n: number }>(
      'SELECT count(*)::int AS n FROM items WHERE name = $1',
      [itemName],
      db.url,
    );
    return row?.n;
  };

  const waitingOnLock = async () => (await lockWaiters(db.url, { application: name })).length;

  it('20 retries of a blocked create: one item, one transaction, none refused, 19 answered as replays', async () => {
    const release = await holdKeys();
    const lead = create('burst', { name: 'burst', tags: ['x'] });
    await eventually(async () => (await waitingOnLock()) === 1, 10_000);
    const rest = Array.from({ length: 19 }, () => create('burst', { name: 'burst', tags: ['x'] }));
    await eventually(async () => (await coalesced()) === 19, 10_000);
    // Only the request running the transaction holds a slot and a connection.
    expect(await admin.metric('http_server_admission_in_flight')).toBe(1);
    await release();
    const answers = await Promise.all([lead, ...rest]);

    expect(answers.map((a) => a.status)).toEqual(Array<number>(20).fill(201));
    expect(new Set(answers.map((a) => a.item.id)).size).toBe(1);
    expect(answers.filter((a) => a.replayed === null)).toHaveLength(1);
    expect(await admin.metric('items_idempotent_creates_total', { result: 'created' })).toBe(1);
    expect(await coalesced()).toBe(19);
    expect(await refused()).toBe(0);
    expect(await itemsNamed('burst')).toBe(1);
  });

  it('another body under the same key does not join: the database answers it 422, one item stays', async () => {
    const release = await holdKeys();
    const first = create('mixed', { name: 'mixed-a' });
    await eventually(async () => (await waitingOnLock()) === 1, 10_000);
    const other = create('mixed', { name: 'mixed-b' });
    await eventually(async () => (await waitingOnLock()) === 2, 10_000);
    await release();
    const answers = await Promise.all([first, other]);

    // Both waited on the table lock and were let go together (their row locks do not conflict),
    // so either may insert the key first: the other body is the one refused, whichever it is.
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const kept = answers.find((a) => a.status === 201)!.item.name as string;
    const refusedAnswer = answers.find((a) => a.status === 422)!;
    expect(refusedAnswer.item.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await itemsNamed(kept)).toBe(1);
    expect(await itemsNamed(kept === 'mixed-a' ? 'mixed-b' : 'mixed-a')).toBe(0);
    expect(await refused()).toBe(0);
  });

  // Each joiner waits under its own request's signal (single-flight.ts): its deadline, not the
  // transaction's budget (DB_POOL_ACQUIRE_TIMEOUT_MS, the statement timeouts) nor the leader's.
  it('joiners leave at their own deadlines with 504 REQUEST_DEADLINE_EXCEEDED; the leader and a patient joiner still get the item', async () => {
    const body = { name: 'deadlines' };
    const release = await holdKeys();
    const before = await coalesced();
    const lead = create('deadlines', body);
    await eventually(async () => (await waitingOnLock()) === 1, 10_000);
    const short = create('deadlines', body, { deadline: '500ms' });
    const longer = create('deadlines', body, { deadline: '1500ms' });
    const patient = create('deadlines', body);
    await eventually(async () => (await coalesced()) === before + 3, 10_000);

    for (const [joiner, deadlineMs] of [
      [await short, 500],
      [await longer, 1_500],
    ] as const) {
      expect(joiner).toMatchObject({ status: 504, item: { code: 'REQUEST_DEADLINE_EXCEEDED' } });
      expect(joiner.ms).toBeGreaterThanOrEqual(deadlineMs - 50);
    }
    // The transaction is still waiting for the keys, for the leader and the patient joiner.
    expect(await waitingOnLock()).toBe(1);
    await release();
    const [leader, last] = await Promise.all([lead, patient]);
    expect([leader.status, leader.replayed, last.status, last.replayed]).toEqual([
      201,
      null,
      201,
      'true',
    ]);
    expect(last.item.id).toBe(leader.item.id);
    expect(await itemsNamed('deadlines')).toBe(1);
  });

  it.each([
    ['its deadline passes', 'deadline'],
    ['its client leaves', 'client'],
  ])(
    'the leader leaves mid-transaction (%s): the transaction goes on, the joiners get the item',
    async (_why, how) => {
      const key = `leader-${how}`;
      const body = { name: key };
      const release = await holdKeys();
      const before = await coalesced();
      const createdBefore =
        (await admin.metric('items_idempotent_creates_total', { result: 'created' })) ?? 0;
      const client = new AbortController();
      let leaderAnswered = false;
      // The leader's deadline bounds how long the test has to see it in the transaction and get
      // the joiners in behind it: at 800 ms, a machine slow at that had the leader leave first,
      // its transaction cancelled with no one waiting, and the joiners start one of their own.
      const lead = create(key, body, {
        deadline: how === 'deadline' ? '3s' : undefined,
        signal: client.signal,
      })
        .catch((error: unknown) => error)
        .finally(() => (leaderAnswered = true));
      await eventually(async () => (await waitingOnLock()) === 1, 10_000);
      const joiners = Array.from({ length: 3 }, () => create(key, body));
      await eventually(async () => (await coalesced()) === before + 3, 10_000);
      // The joiners joined the leader's transaction, not one of their own.
      expect(leaderAnswered).toBe(false);

      if (how === 'client') client.abort();
      const left = await lead;
      if (how === 'deadline') {
        expect(left).toMatchObject({ status: 504, item: { code: 'REQUEST_DEADLINE_EXCEEDED' } });
      } else {
        expect((left as Error).name).toBe('AbortError');
      }
      // Not cancelled: the joiners still wait for it.
      await new Promise((r) => setTimeout(r, 200));
      expect(await waitingOnLock()).toBe(1);
      await release();
      const answers = await Promise.all(joiners);
      expect(answers.map((a) => [a.status, a.replayed])).toEqual(Array(3).fill([201, 'true']));
      expect(new Set(answers.map((a) => a.item.id)).size).toBe(1);
      expect(await itemsNamed(key)).toBe(1);
      // The transaction made the item, whoever was left to hear of it.
      expect(await admin.metric('items_idempotent_creates_total', { result: 'created' })).toBe(
        createdBefore + 1,
      );
    },
  );

  it('every caller leaves: the transaction is cancelled, no item is made, and a retry creates it', async () => {
    const body = { name: 'all-left' };
    const release = await holdKeys();
    const lead = create('all-left', body, { deadline: '800ms' });
    await eventually(async () => (await waitingOnLock()) === 1, 10_000);
    const joiner = create('all-left', body, { deadline: '1200ms' });
    for (const left of [await lead, await joiner]) {
      expect(left).toMatchObject({ status: 504, item: { code: 'REQUEST_DEADLINE_EXCEEDED' } });
    }
    await eventually(async () => (await waitingOnLock()) === 0, 10_000);
    await release();
    expect(await itemsNamed('all-left')).toBe(0);
    const retry = await create('all-left', body);
    expect([retry.status, retry.replayed]).toEqual([201, null]);
    expect(await itemsNamed('all-left')).toBe(1);
  });
});
