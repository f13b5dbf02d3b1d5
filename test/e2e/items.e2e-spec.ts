import { DatabaseService } from '../../src/database/database.service.js';
import { IdempotencyKeySweeper } from '../../src/items/idempotency-key.sweeper.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

describe('/api/items (real listener; PGlite, or a fresh PostgreSQL database under .ci/run)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestAppWithDatabase({ REQUEST_TIMEOUT_MS: '10000' });
  });
  afterAll(() => t?.close());

  const send = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${t.baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function create(
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ res: Response; item: JsonBody }> {
    const res = await send('POST', '/api/items', body, headers);
    return { res, item: await json(res) };
  }

  it('POST creates: 201, Location, ETag, the stored item', async () => {
    const { res, item } = await create({ name: 'lamp', description: 'brass', tags: ['home'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/items/${item.id}`);
    expect(res.headers.get('etag')).toBe(`"${item.id}.1"`);
    expect(item).toEqual(
      expect.objectContaining({ name: 'lamp', description: 'brass', tags: ['home'], version: 1 }),
    );
    expect(new Date(item.createdAt).toISOString()).toBe(item.createdAt);
  });

  it('GET returns the item with its ETag; If-None-Match → 304; unknown id → 404 ITEM_NOT_FOUND', async () => {
    const { item } = await create({ name: 'chair' });
    const res = await send('GET', `/api/items/${item.id}`);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag') as string;
    expect(await json(res)).toEqual(item);
    const again = await send('GET', `/api/items/${item.id}`, undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // What a 200 would say of caching, and no Content-Type for a body it does not have.
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe(res.headers.get('cache-control'));
    expect(again.headers.get('content-type')).toBeNull();
    const stale = await send('GET', `/api/items/${item.id}`, undefined, { 'if-none-match': '"x"' });
    expect(stale.status).toBe(200);
    const missing = await send('GET', '/api/items/999999999');
    expect(missing.status).toBe(404);
    expect((await json(missing)).code).toBe('ITEM_NOT_FOUND');
    // A 404 is cacheable by default (RFC 9111 §4.2.2), and the id may be created a moment later.
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });

  it('PATCH without If-Match → 428; stale If-Match → 412 ITEM_VERSION_CONFLICT; current → 200 and a new ETag', async () => {
    const { res: created, item } = await create({ name: 'desk' });
    const etag = created.headers.get('etag') as string;
    const missing = await send('PATCH', `/api/items/${item.id}`, { name: 'table' });
    expect(missing.status).toBe(428);
    expect((await json(missing)).code).toBe('PRECONDITION_REQUIRED');
    const ok = await send(
      'PATCH',
      `/api/items/${item.id}`,
      { name: 'table' },
      { 'if-match': etag },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe(`"${item.id}.2"`);
    expect(await json(ok)).toEqual(expect.objectContaining({ name: 'table', version: 2 }));
    const stale = await send(
      'PATCH',
      `/api/items/${item.id}`,
      { name: 'bench' },
      { 'if-match': etag },
    );
    expect(stale.status).toBe(412);
    const problem = await json(stale);
    expect(problem.code).toBe('ITEM_VERSION_CONFLICT');
    expect(problem.currentEtag).toBe(`"${item.id}.2"`);
    expect(problem.detail).toBe(
      `Item ${item.id} is at "${item.id}.2", which the request's If-Match or If-None-Match rules out.`,
    );
    // The GET after a write is never the cached old version.
    expect((await json(await send('GET', `/api/items/${item.id}`))).name).toBe('table');
  });

  it('If-Match lists: any listed tag may match, on PATCH, DELETE and GET', async () => {
    const { item } = await create({ name: 'v1' });
    const v1 = `"${item.id}.1"`;
    const patched = await send(
      'PATCH',
      `/api/items/${item.id}`,
      { name: 'v2' },
      { 'if-match': v1 },
    );
    expect(patched.status).toBe(200);
    const v2 = `"${item.id}.2"`;
    const listed = await send(
      'PATCH',
      `/api/items/${item.id}`,
      { name: 'v3' },
      { 'if-match': `${v1}, ${v2}` },
    );
    expect(listed.status).toBe(200);
    const v3 = `"${item.id}.3"`;
    // GET evaluates If-Match too: a stale one is 412, a listed current one 200.
    const staleGet = await send('GET', `/api/items/${item.id}`, undefined, { 'if-match': v1 });
    expect(staleGet.status).toBe(412);
    expect(await json(staleGet)).toMatchObject({ code: 'ITEM_VERSION_CONFLICT', currentEtag: v3 });
    const currentGet = await send('GET', `/api/items/${item.id}`, undefined, {
      'if-match': `${v2}, ${v3}`,
    });
    expect(currentGet.status).toBe(200);
    await currentGet.arrayBuffer();
    const removed = await send('DELETE', `/api/items/${item.id}`, undefined, {
      'if-match': `${v1}, ${v3}`,
    });
    expect(removed.status).toBe(204);
  });

  it('If-Match compares strong tags character by character: "id.01" is not "id.1"', async () => {
    const { item } = await create({ name: 'exact' });
    for (const [method, body] of [
      ['PATCH', { name: 'changed' }],
      ['GET', undefined],
      ['DELETE', undefined],
    ] as const) {
      const res = await send(method, `/api/items/${item.id}`, body, {
        'if-match': `"${item.id}.01"`,
      });
      expect(res.status).toBe(412);
      expect(await json(res)).toMatchObject({ code: 'ITEM_VERSION_CONFLICT' });
    }
    expect((await json(await send('GET', `/api/items/${item.id}`))).name).toBe('exact');
  });

  it('the list says how it may be cached, as an item does', async () => {
    const res = await send('GET', '/api/items?limit=1');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    await res.arrayBuffer();
  });

  it('two concurrent PATCHes with the same If-Match: one 200, one 412, and no field is lost', async () => {
    for (let round = 0; round < 5; round++) {
      const { res: created, item } = await create({ name: 'n0', description: 'd0' });
      const etag = created.headers.get('etag') as string;
      // Warm the cache so the race also covers invalidation.
      await send('GET', `/api/items/${item.id}`);
      const [a, b] = await Promise.all([
        send('PATCH', `/api/items/${item.id}`, { name: 'n1' }, { 'if-match': etag }),
        send('PATCH', `/api/items/${item.id}`, { description: 'd1' }, { 'if-match': etag }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 412]);
      const winner = a.status === 200 ? await json(a) : await json(b);
      const loserBody = a.status === 200 ? { description: 'd1' } : { name: 'n1' };
      const now = await json(await send('GET', `/api/items/${item.id}`));
      expect(now).toEqual(winner);
      expect(now.version).toBe(2);
      // The loser re-reads and re-applies; the winner's field survives.
      const retry = await send('PATCH', `/api/items/${item.id}`, loserBody, {
        'if-match': `"${item.id}.2"`,
      });
      expect(retry.status).toBe(200);
      expect(await json(retry)).toEqual(
        expect.objectContaining({ name: 'n1', description: 'd1', version: 3 }),
      );
    }
  });

  it('PATCH description null clears it; tags replace; If-Match: * matches any version', async () => {
    const { item } = await create({ name: 'pen', description: 'blue', tags: ['a'] });
    const res = await send(
      'PATCH',
      `/api/items/${item.id}`,
      { description: null, tags: ['b', 'c'] },
      { 'if-match': '*' },
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(
      expect.objectContaining({ description: null, tags: ['b', 'c'] }),
    );
  });

  it('an ETag of another item never matches (412), an unknown item → 404', async () => {
    const { item: one } = await create({ name: 'one' });
    const { item: two } = await create({ name: 'two' });
    const res = await send(
      'PATCH',
      `/api/items/${two.id}`,
      { name: 'x' },
      { 'if-match': `"${one.id}.1"` },
    );
    expect(res.status).toBe(412);
    const gone = await send(
      'PATCH',
      '/api/items/987654321',
      { name: 'x' },
      { 'if-match': '"987654321.1"' },
    );
    expect(gone.status).toBe(404);
  });

  it('DELETE → 204, then GET → 404 and DELETE → 404; a stale If-Match on DELETE → 412', async () => {
    const { item } = await create({ name: 'cup' });
    await send('GET', `/api/items/${item.id}`); // cached
    const guarded = await send('DELETE', `/api/items/${item.id}`, undefined, {
      'if-match': `"${item.id}.7"`,
    });
    expect(guarded.status).toBe(412);
    const res = await send('DELETE', `/api/items/${item.id}`);
    expect(res.status).toBe(204);
    expect((await send('GET', `/api/items/${item.id}`)).status).toBe(404);
    expect((await send('DELETE', `/api/items/${item.id}`)).status).toBe(404);
  });

  // RFC 9110 §13.1.2: a false If-None-Match stops every method but GET and HEAD with 412. It was
  // read on GET only: PATCH and DELETE went ahead whatever it said.
  it('If-None-Match guards writes: 412 while the item is at a named version or for `*`', async () => {
    const { item } = await create({ name: 'guarded' });
    const path = `/api/items/${item.id}`;
    const current = `"${item.id}.1"`;
    const refused = [
      await send('PATCH', path, { name: 'x' }, { 'if-match': current, 'if-none-match': current }),
      await send(
        'PATCH',
        path,
        { name: 'x' },
        { 'if-match': '*', 'if-none-match': `W/${current}` },
      ),
      await send('PATCH', path, { name: 'x' }, { 'if-match': '*', 'if-none-match': '*' }),
      await send('DELETE', path, undefined, { 'if-none-match': '*' }),
      await send('DELETE', path, undefined, { 'if-none-match': `"${item.id}.9", ${current}` }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(412);
      expect(await json(res)).toMatchObject({
        code: 'ITEM_VERSION_CONFLICT',
        currentEtag: current,
      });
    }
    const unchanged = await send('GET', path);
    expect(await json(unchanged)).toMatchObject({ name: 'guarded', version: 1 });
    // A version it does not name: the write goes ahead.
    const patched = await send(
      'PATCH',
      path,
      { name: 'y' },
      { 'if-match': '*', 'if-none-match': `"${item.id}.9"` },
    );
    expect(patched.status).toBe(200);
    expect((await send('DELETE', path, undefined, { 'if-none-match': current })).status).toBe(204);
  });

  // now() is the transaction's start, before the row lock was waited for: under contention a later
  // version carried an earlier updatedAt (13 of 95 pairs in a sweep).
  it('concurrent overwrites: updatedAt never goes back as the version goes up', async () => {
    const { item } = await create({ name: 'raced' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send('PATCH', `/api/items/${item.id}`, { name: `n${i}` }, { 'if-match': '*' }).then(json),
      ),
    );
    const ordered = answers.sort((a, b) => a.version - b.version);
    expect(ordered.map((a) => a.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    for (let i = 1; i < ordered.length; i++) {
      expect(Date.parse(ordered[i]!.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(ordered[i - 1]!.updatedAt),
      );
    }
  });

  it('Idempotency-Key: keys past IDEMPOTENCY_KEY_TTL_MS are swept; a retry then creates anew', async () => {
    const db = t.app.get(DatabaseService);
    const sweeper = t.app.get(IdempotencyKeySweeper);
    const oldKey = `old-${Date.now()}`;
    const freshKey = `fresh-${Date.now()}`;
    const first = await create({ name: 'aged' }, { 'idempotency-key': oldKey });
    await create({ name: 'young' }, { 'idempotency-key': freshKey });
    const ttlMs = t.config.IDEMPOTENCY_KEY_TTL_MS;
    await db.query(
      'test.age_key',
      `UPDATE item_idempotency_keys SET created_at = now() - ($2::bigint + 1000) * interval '1 millisecond' WHERE key = $1`,
      [oldKey, ttlMs],
    );
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    const { rows } = await db.query<{ key: string }>(
      'test.keys',
      'SELECT key FROM item_idempotency_keys WHERE key = ANY($1)',
      [[oldKey, freshKey]],
    );
    expect(rows.map((r) => r.key)).toEqual([freshKey]);
    const again = await create({ name: 'aged' }, { 'idempotency-key': oldKey });
    expect(again.res.headers.get('idempotent-replayed')).toBeNull();
    expect(again.item.id).not.toBe(first.item.id);
    const replay = await create({ name: 'young' }, { 'idempotency-key': freshKey });
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
  });

  // Before the sweep comes round (every TTL/24, up to an hour): an expired key replayed its item
  // and refused another body with 422.
  it('Idempotency-Key: a key past IDEMPOTENCY_KEY_TTL_MS, not swept yet, is as if absent', async () => {
    const db = t.app.get(DatabaseService);
    const key = `unswept-${Date.now()}`;
    const first = await create({ name: 'then' }, { 'idempotency-key': key });
    await db.query(
      'test.age_key',
      `UPDATE item_idempotency_keys SET created_at = now() - ($2::bigint + 1000) * interval '1 millisecond' WHERE key = $1`,
      [key, t.config.IDEMPOTENCY_KEY_TTL_MS],
    );
    const other = await create({ name: 'now' }, { 'idempotency-key': key });
    expect(other.res.status).toBe(201);
    expect(other.res.headers.get('idempotent-replayed')).toBeNull();
    expect(other.item.id).not.toBe(first.item.id);
    // The key is fresh again, for the new item.
    const replay = await create({ name: 'now' }, { 'idempotency-key': key });
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.item.id).toBe(other.item.id);
  });

  it('Idempotency-Key: one sweep works off a backlog larger than a burst, until no expired key is left', async () => {
    const db = t.app.get(DatabaseService);
    const ttlMs = t.config.IDEMPOTENCY_KEY_TTL_MS;
    const expired = 25_000; // more than one burst of 20 statements × 1,000 keys
    await db.query(
      'test.expired_keys',
      `WITH made AS (
         INSERT INTO items (name) SELECT 'backlog' FROM generate_series(1, $1::int) RETURNING id)
       INSERT INTO item_idempotency_keys (key, item_id, fingerprint, created_at)
       SELECT 'backlog-' || id, id, 'f', now() - ($2::bigint + 1000) * interval '1 millisecond'
       FROM made`,
      [expired, ttlMs],
    );
    expect(await t.app.get(IdempotencyKeySweeper).sweep()).toBeGreaterThanOrEqual(expired);
    const { rows } = await db.query<{ left: number }>(
      'test.expired_left',
      `SELECT count(*)::int AS "left" FROM item_idempotency_keys
       WHERE created_at < now() - $1::bigint * interval '1 millisecond'`,
      [ttlMs],
    );
    expect(rows[0]?.left).toBe(0);
    // The later tests page through every item, and number their own from 9,996.
    await db.query('test.drop_backlog', `DELETE FROM items WHERE name = 'backlog'`);
  });

  it('Idempotency-Key: a retried POST returns the original item, concurrent retries create one item', async () => {
    const key = `key-${Date.now()}`;
    const first = await create({ name: 'once' }, { 'idempotency-key': key });
    const retry = await create({ name: 'once' }, { 'idempotency-key': key });
    expect(first.res.status).toBe(201);
    expect(retry.res.status).toBe(201);
    expect(retry.res.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.item).toEqual(first.item);
    // Changed since: a retry still answers exactly what the first request got.
    const etag = first.res.headers.get('etag') as string;
    const patch = { name: 'changed', tags: ['t'] };
    const patched = await send('PATCH', `/api/items/${first.item.id}`, patch, { 'if-match': etag });
    expect(patched.status).toBe(200);
    const late = await create({ name: 'once' }, { 'idempotency-key': key });
    expect(late.item).toEqual(first.item);
    expect(late.res.headers.get('etag')).toBe(etag);

    const burstKey = `burst-${Date.now()}`;
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        create({ name: 'burst', tags: ['x'] }, { 'idempotency-key': burstKey }),
      ),
    );
    expect(burst.map((b) => b.res.status)).toEqual(Array(20).fill(201));
    expect(new Set(burst.map((b) => b.item.id)).size).toBe(1);
    expect(burst.filter((b) => b.res.headers.get('idempotent-replayed') === null)).toHaveLength(1);

    const reused = await create({ name: 'different' }, { 'idempotency-key': key });
    expect(reused.res.status).toBe(422);
    expect(reused.item.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('Idempotency-Key: a retry after the item was deleted replays the first answer; nothing is created again', async () => {
    const key = `deleted-${Date.now()}`;
    const first = await create({ name: 'short-lived' }, { 'idempotency-key': key });
    expect(first.res.status).toBe(201);
    const etag = first.res.headers.get('etag') as string;
    expect(
      (await send('DELETE', `/api/items/${first.item.id}`, undefined, { 'if-match': etag })).status,
    ).toBe(204);

    const retry = await create({ name: 'short-lived' }, { 'idempotency-key': key });
    expect(retry.res.status).toBe(201);
    expect(retry.res.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.item).toEqual(first.item);
    expect((await send('GET', `/api/items/${first.item.id}`)).status).toBe(404);
    const { rows } = await t.app
      .get(DatabaseService)
      .query<{ n: number }>(
        'test.short_lived',
        `SELECT count(*)::int AS n FROM items WHERE name = 'short-lived'`,
      );
    expect(rows[0]?.n).toBe(0);
  });

  it('keyset pages: bounded, ordered, each item once even with inserts between pages', async () => {
    // Ids of more than one width (earlier tests' two-digit ids, then 9,996 to 10,007): ordered
    // as text, 10000 sorts before 9996 and 2 after 10, and pages skip items (they once did).
    await t.app
      .get(DatabaseService)
      .query('test.ids_past_9999', `SELECT setval(pg_get_serial_sequence('items', 'id'), 9995)`);
    const before = new Set<string>();
    for (let i = 0; i < 12; i++) before.add((await create({ name: `page-${i}` })).item.id);
    expect(
      [...before].some((id) => id.length === 4) && [...before].some((id) => id.length === 5),
    ).toBe(true);
    const { rows } = await t.app
      .get(DatabaseService)
      .query<{ id: string }>('test.all_ids', 'SELECT id::text AS id FROM items');
    const stored = rows.map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = cursor ? `?limit=5&cursor=${cursor}` : '?limit=5';
      const res = await send('GET', `/api/items${qs}`);
      expect(res.status).toBe(200);
      const page = await json(res);
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((i: JsonBody) => i.id as string));
      // Concurrent writers: new rows land after the cursor, never shift what was already read.
      await Promise.all([create({ name: 'interleaved' }), create({ name: 'interleaved' })]);
      cursor = page.nextCursor;
    } while (cursor && seen.length < 500);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.map(BigInt)).toEqual(
      [...seen.map(BigInt)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    for (const id of before) expect(seen).toContain(id);
    // Every item stored before the walk, not only this test's: ids of one or two digits too.
    expect(stored.length).toBeGreaterThan(before.size);
    for (const id of stored) expect(seen).toContain(id);
  });
});
