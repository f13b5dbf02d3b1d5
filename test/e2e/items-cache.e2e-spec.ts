import pg from 'pg';
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from '../support/database.js';
import { json } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { pinnedAdmission, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

/** A counter's value from the admin /metrics text (0 when absent). */
async function metric(app: TestApp, series: string): Promise<number> {
  const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
const FIND_BY_ID = 'db_client_operations_total{operation="items.find_by_id"}';

describe('item cache: single-flight per instance, invalidation across instances over Redis', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let local: TestApp; // same database, no Redis: shows what B would serve without invalidation

  beforeAll(async () => {
    db = await createPostgresDatabase();
    const env = {
      DATABASE_URL: db.url,
      REQUEST_TIMEOUT_MS: '30000',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '20000',
      CACHE_TTL_MS: '60000',
      ACCESS_LOG_ENABLED: 'false',
    };
    [a, b, local] = await Promise.all([
      startTestApp({ ...env, REDIS_URL }),
      startTestApp({ ...env, REDIS_URL }),
      startTestApp(env),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), local?.close()]);
    await db?.drop();
  });

  async function create(app: TestApp, name: string) {
    const res = await fetch(`${app.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    return { id: (await json(res)).id as string, etag: res.headers.get('etag') as string };
  }

  it('1,000 concurrent GETs of one cold item → one database query per instance', async () => {
    const { id } = await create(a, 'hot');
    for (const app of [a, b]) {
      const before = await metric(app, FIND_BY_ID);
      const responses = await Promise.all(
        Array.from({ length: 1_000 }, () => fetch(`${app.baseUrl}/api/items/${id}`)),
      );
      const bodies = await Promise.all(responses.map((r) => r.text()));
      expect(responses.filter((r) => r.status !== 200)).toHaveLength(0);
      expect(new Set(bodies).size).toBe(1);
      expect((await metric(app, FIND_BY_ID)) - before).toBe(1);
      const hits = await metric(app, 'items_cache_requests_total{result="hit"}');
      const coalesced = await metric(app, 'items_cache_requests_total{result="coalesced"}');
      expect(hits + coalesced).toBeGreaterThanOrEqual(999);
    }
  });

  // Admission on, pinned to two slots, no queue: a third request in flight is refused at once.
  // The reader running the query holds one (it holds a pooled connection); readers that join it
  // are parked (admission/admission.slot.ts) and lend theirs, so all of them get through the other.
  it('with admission limited to 2, readers coalesced onto a blocked query lend their slot: 20 let in, none refused', async () => {
    const name = `rampart-coalesced-${process.pid}`;
    const limited = await startTestApp({
      DATABASE_URL: db.url,
      DB_APPLICATION_NAME: name,
      ACCESS_LOG_ENABLED: 'false',
      ...pinnedAdmission(2),
      ADMISSION_QUEUE_MAX: '0',
    });
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      // Created through another instance: this one has it in no cache.
      const { id } = await create(a, 'coalesced');
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      const lead = fetch(`${limited.baseUrl}/api/items/${id}`);
      await eventually(
        async () => (await lockWaiters(db.url, { application: name })).length === 1,
        10_000,
      );
      const rest = Array.from({ length: 20 }, () => fetch(`${limited.baseUrl}/api/items/${id}`));
      await eventually(
        async () =>
          (await metric(limited, 'items_cache_requests_total{result="coalesced"}')) === 20,
        10_000,
      );
      // Only the reader running the query holds a slot.
      expect(await metric(limited, 'http_server_admission_in_flight')).toBe(1);
      await locker.query('COMMIT');

      const responses = await Promise.all([lead, ...rest]);
      expect(responses.map((r) => r.status)).toEqual(Array<number>(21).fill(200));
      expect(
        await metric(limited, 'http_server_admission_rejections_total{reason="concurrency_limit"}'),
      ).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await limited.close();
    }
  });

  it('a write on A is never served stale by B (20 rounds of read on B, write on A, read on B)', async () => {
    const { id, etag } = await create(a, 'v1');
    let current = etag;
    for (let round = 2; round <= 21; round++) {
      expect((await fetch(`${b.baseUrl}/api/items/${id}`)).status).toBe(200); // B caches
      const patched = await fetch(`${a.baseUrl}/api/items/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'if-match': current },
        body: JSON.stringify({ name: `v${round}` }),
      });
      expect(patched.status).toBe(200);
      current = patched.headers.get('etag') as string;
      const onB = await json(await fetch(`${b.baseUrl}/api/items/${id}`));
      expect({ name: onB.name, version: onB.version }).toEqual({
        name: `v${round}`,
        version: round,
      });
    }
    const deleted = await fetch(`${a.baseUrl}/api/items/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await fetch(`${b.baseUrl}/api/items/${id}`)).status).toBe(404);
  });

  const patch = (app: TestApp, id: string, ifMatch: string) =>
    fetch(`${app.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': ifMatch },
      body: JSON.stringify({ name: 'refused' }),
    });

  it('a refused write (412, 404) changes nothing: no replica drops its cached copy', async () => {
    const { id } = await create(a, 'hot');
    for (const app of [a, b])
      expect((await fetch(`${app.baseUrl}/api/items/${id}`)).status).toBe(200);
    const invalidations = async () => [
      await metric(a, 'items_cache_invalidations_total{source="local"}'),
      await metric(b, 'items_cache_invalidations_total{source="remote"}'),
    ];
    const before = await invalidations();
    const reads = await metric(a, FIND_BY_ID);
    for (let i = 0; i < 5; i++) expect((await patch(a, id, '"bogus"')).status).toBe(412);
    expect((await patch(a, '999999999', '*')).status).toBe(404);
    const removed = await fetch(`${a.baseUrl}/api/items/${id}`, {
      method: 'DELETE',
      headers: { 'if-match': '"bogus"' },
    });
    expect(removed.status).toBe(412);
    expect(await invalidations()).toEqual(before);
    expect((await json(await fetch(`${a.baseUrl}/api/items/${id}`))).name).toBe('hot');
    expect(await metric(a, FIND_BY_ID)).toBe(reads); // served from the cache
  });

  it('a refused write on a replica whose copy is stale drops that copy there', async () => {
    const { id, etag } = await create(a, 'before');
    expect((await json(await fetch(`${local.baseUrl}/api/items/${id}`))).name).toBe('before');
    expect((await patch(a, id, etag)).status).toBe(200); // `local` hears nothing of it
    // The client sends the version `local` showed it; the 412 carries the stored one.
    expect((await patch(local, id, etag)).status).toBe(412);
    expect((await json(await fetch(`${local.baseUrl}/api/items/${id}`))).name).toBe('refused');
  });

  it('control: an instance without Redis keeps its cached copy until the TTL (why the bus exists)', async () => {
    const { id, etag } = await create(a, 'before');
    expect((await json(await fetch(`${local.baseUrl}/api/items/${id}`))).name).toBe('before');
    await fetch(`${a.baseUrl}/api/items/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': etag },
      body: JSON.stringify({ name: 'after' }),
    });
    expect((await json(await fetch(`${local.baseUrl}/api/items/${id}`))).name).toBe('before');
    expect((await json(await fetch(`${b.baseUrl}/api/items/${id}`))).name).toBe('after');
  });
});
