import { BackendServer } from '../support/backend-server.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

const REPEATED = 'this key appears more than once in its object; send it once';

/**
 * A JSON body that repeats a key within one object is ambiguous (JSON.parse keeps the last value;
 * other readers of the same bytes may keep the first): both listeners refuse it with 400
 * INVALID_INPUT naming the key's JSON pointer, and nothing it asked for happens.
 */
describe('a JSON body with a repeated key is refused on both ports, and changes nothing', () => {
  let t: TestApp;
  let backend: BackendServer;

  beforeAll(async () => {
    backend = await new BackendServer().start();
    t = await startTestAppWithDatabase({ BACKEND_URLS: backend.url });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
  });

  const send = (url: string, method: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body });

  async function refused(res: Response, pointer: string): Promise<JsonBody> {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await json(res);
    expect(body.code).toBe('INVALID_INPUT');
    expect(body.errors).toEqual([{ field: pointer, message: REPEATED }]);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    return body;
  }

  const itemCount = async () => {
    let count = 0;
    let cursor: string | undefined;
    do {
      const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await json(await fetch(`${t.baseUrl}/api/items?limit=100${query}`));
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return count;
  };

  describe('public port', () => {
    it.each([
      ['a repeated name', '{"name":"a","name":"b"}', '/name'],
      ['a repeat written with an escape', '{"name":"a","\\u006eame":"b"}', '/name'],
      ['repeated tags', '{"name":"a","tags":["x"],"tags":["y"]}', '/tags'],
      [
        'a repeat after a string holding braces and quotes',
        '{"name":"{\\"n\\":1}}","name":"b"}',
        '/name',
      ],
    ])('POST /api/items, %s → 400 naming it, no item created', async (_name, body, pointer) => {
      const before = await itemCount();
      await refused(await send(`${t.baseUrl}/api/items`, 'POST', body), pointer);
      expect(await itemCount()).toBe(before);
    });

    it('a repeated __proto__ is still refused as prototype poisoning, the key never accepted', async () => {
      const body = '{"name":"a","__proto__":{"x":1},"__proto__":{"x":2}}';
      const res = await send(`${t.baseUrl}/api/items`, 'POST', body);
      expect(res.status).toBe(400);
      expect((await json(res)).errors).toEqual([
        { field: '__proto__', message: 'a key this API never accepts' },
      ]);
    });

    it('PATCH /api/items/:id with a repeated name → 400, the item unchanged', async () => {
      const created = await send(`${t.baseUrl}/api/items`, 'POST', '{"name":"kept"}');
      expect(created.status).toBe(201);
      const { id } = await json(created);
      const etag = created.headers.get('etag') as string;
      const body = '{"name":"first","name":"second"}';
      await refused(
        await send(`${t.baseUrl}/api/items/${id}`, 'PATCH', body, { 'if-match': etag }),
        '/name',
      );
      const item = await fetch(`${t.baseUrl}/api/items/${id}`);
      expect((await json(item)).name).toBe('kept');
      expect(item.headers.get('etag')).toBe(etag);
    });

    it('POST /api/counters/:name/increment with a repeated by → 400, the counter not moved', async () => {
      const url = `${t.baseUrl}/api/counters/repeated-by`;
      await refused(await send(`${url}/increment`, 'POST', '{"by":1,"by":1000}'), '/by');
      expect((await json(await fetch(url))).value).toBe(0);
    });

    it('POST /echo with a repeat nested in an array → 400 naming its pointer, nothing forwarded', async () => {
      const hits = backend.hits;
      await refused(
        await send(`${t.baseUrl}/echo`, 'POST', '{"a":[{"b":1},{"b":1,"c":{},"b":2}]}'),
        '/a/1/b',
      );
      expect(backend.hits).toBe(hits);
      // The same body without the repeat is forwarded: the refusal above was the repeat's.
      expect(
        (await send(`${t.baseUrl}/echo`, 'POST', '{"a":[{"b":1},{"b":1,"c":{}}]}')).status,
      ).toBe(200);
      expect(backend.hits).toBe(hits + 1);
    });
  });

  describe('admin port', () => {
    const chaos = () => fetch(`${t.adminUrl}/chaos`).then(json);
    afterAll(() => fetch(`${t.adminUrl}/chaos`, { method: 'DELETE' }));

    it.each([
      ['the errorRate example', '{"errorStatus":503,"errorRate":0.5,"errorRate":0}', '/errorRate'],
      [
        'a repeat written with an escape',
        '{"errorStatus":503,"errorRate":0,"error\\u0052ate":0}',
        '/errorRate',
      ],
    ])('PUT /chaos, %s → 400 naming it, the settings unchanged', async (_name, body, pointer) => {
      const set = await send(`${t.adminUrl}/chaos`, 'PUT', '{"errorStatus":502}');
      expect(set.status).toBe(200);
      const before = await chaos();
      expect(before.errorStatus).toBe(502);
      await refused(await send(`${t.adminUrl}/chaos`, 'PUT', body), pointer);
      expect(await chaos()).toEqual(before);
    });
  });
});
