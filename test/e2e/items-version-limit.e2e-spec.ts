import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { createItem, json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** PostgreSQL's `integer`, the items.version column: the last version an item can reach. */
const LAST_VERSION = 2_147_483_647;

/**
 * Item versions up to the column's limit, each set in the row directly (a real PostgreSQL, a
 * database of the test's own): If-Match read a tag's version as at most nine digits, so from
 * version 1,000,000,000 on the item's own ETag matched nothing (412 for every write), and at
 * 2,147,483,647 a write's `version + 1` left the integer column: 500.
 */
describe('item versions up to the integer column’s last', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    // No cache: each read sees the version the test wrote into the row.
    t = await startTestApp({ DATABASE_URL: db.url, CACHE_MAX_ITEMS: '0' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** A new item, its row then set to `version` behind the app's back. */
  async function itemAt(version: number): Promise<{ id: string; etag: string }> {
    const { id } = await createItem(t.baseUrl, 'at-the-limit');
    await adminQuery('UPDATE items SET version = $2 WHERE id = $1', [id, version], db.url);
    const res = await fetch(`${t.baseUrl}/api/items/${id}`);
    expect(res.status).toBe(200);
    return { id, etag: res.headers.get('etag')! };
  }

  const send = (method: string, id: string, headers: Record<string, string>) =>
    fetch(`${t.baseUrl}/api/items/${id}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: method === 'PATCH' ? JSON.stringify({ description: 'changed' }) : undefined,
    });

  it.each([1_000_000_000, 1_999_999_999, LAST_VERSION - 1])(
    'at version %d, PATCH with the item’s own ETag → 200 and the next version',
    async (version) => {
      const { id, etag } = await itemAt(version);
      expect(etag).toBe(`"${id}.${version}"`);
      const res = await send('PATCH', id, { 'if-match': etag });
      expect([res.status, (await json(res)).version]).toEqual([200, version + 1]);
      expect(res.headers.get('etag')).toBe(`"${id}.${version + 1}"`);
    },
  );

  it('at version 1,000,000,000, If-None-Match naming the current ETag refuses the write (412)', async () => {
    const { id, etag } = await itemAt(1_000_000_000);
    const res = await send('PATCH', id, { 'if-match': '*', 'if-none-match': etag });
    expect([res.status, (await json(res)).code]).toEqual([412, 'ITEM_VERSION_CONFLICT']);
  });

  it('at the last version, a PATCH whose preconditions hold → 409 ITEM_VERSION_EXHAUSTED, not 500', async () => {
    const { id, etag } = await itemAt(LAST_VERSION);
    expect(etag).toBe(`"${id}.${LAST_VERSION}"`);
    for (const ifMatch of [etag, '*']) {
      const res = await send('PATCH', id, { 'if-match': ifMatch });
      const body = await json(res);
      expect({ ifMatch, status: res.status, code: body.code }).toEqual({
        ifMatch,
        status: 409,
        code: 'ITEM_VERSION_EXHAUSTED',
      });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    // Unchanged, and still deletable at that version.
    const read = await fetch(`${t.baseUrl}/api/items/${id}`);
    expect([read.headers.get('etag'), (await json(read)).description]).toEqual([etag, null]);
    expect((await send('DELETE', id, { 'if-match': etag })).status).toBe(204);
  });

  it('at the last version, a stale ETag is still 412 naming the current one', async () => {
    const { id, etag } = await itemAt(LAST_VERSION);
    const res = await send('PATCH', id, { 'if-match': `"${id}.${LAST_VERSION - 1}"` });
    expect([res.status, (await json(res)).currentEtag]).toEqual([412, etag]);
  });

  // A version the column cannot hold is no version of the item: it matches nothing (412), and is
  // never handed to the database, whose integer[] cast would fail the statement (500).
  it.each([`${LAST_VERSION + 1}`, '9999999999', '9999999999999999999'])(
    'If-Match naming version %s → 412, for PATCH and DELETE',
    async (version) => {
      const { id } = await itemAt(LAST_VERSION);
      for (const method of ['PATCH', 'DELETE']) {
        const res = await send(method, id, { 'if-match': `"${id}.${version}"` });
        expect({ method, status: res.status }).toEqual({ method, status: 412 });
      }
    },
  );
});
