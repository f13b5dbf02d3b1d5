import { startTestAppWithDatabase } from '../support/database-app.js';
import { json } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';
import type { TestApp } from '../support/test-app.js';

const STACK_FRAME = /\bat .*\.(js|ts):\d+/;

describe('/api/items rejects bad input with 400 problem+json naming the field, writing nothing', () => {
  let t: TestApp;
  let existingId: string;
  let etag: string;

  beforeAll(async () => {
    t = await startTestAppWithDatabase();
    const res = await post({ name: 'original', description: 'kept', tags: ['t'] });
    existingId = ((await json(res)).id as string) ?? '';
    etag = res.headers.get('etag') as string;
  });
  afterAll(() => t?.close());

  function post(body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async function expectInvalid(res: Response, fields: string[]) {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const text = await res.text();
    expect(text).not.toMatch(STACK_FRAME);
    const body = JSON.parse(text);
    expect(body.code).toBe('INVALID_INPUT');
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual([...fields].sort());
  }

  async function allItems() {
    return (await json(await fetch(`${t.baseUrl}/api/items?limit=100`))).items;
  }

  const long = (n: number) => 'x'.repeat(n);

  it.each([
    ['missing name', {}, ['name']],
    ['name of the wrong type', { name: 42 }, ['name']],
    ['blank name', { name: '   ' }, ['name']],
    ['oversized name', { name: long(201) }, ['name']],
    ['oversized description', { name: 'a', description: long(2001) }, ['description']],
    ['tags not an array', { name: 'a', tags: 'x' }, ['tags']],
    ['a tag of the wrong type', { name: 'a', tags: ['ok', 7] }, ['tags.1']],
    ['an oversized tag', { name: 'a', tags: [long(51)] }, ['tags.0']],
    ['too many tags', { name: 'a', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, ['tags']],
    ['unknown fields', { name: 'a', desciption: 'typo', id: '5' }, ['desciption', 'id']],
    ['several problems at once', { name: 1, tags: 2, extra: true }, ['name', 'tags', 'extra']],
    ['an array body', [{ name: 'a' }], ['body']],
    ['a string body', 'name', ['body']],
  ])('POST with %s → 400', async (_label, body, fields) => {
    const before = await allItems();
    await expectInvalid(await post(body), fields);
    expect(await allItems()).toEqual(before);
  });

  // Each draws nothing at an edge (item.label.ts): `kettle` and `kettle` + U+2800 were two items
  // that looked the same, and so were a hieroglyph alone and with a joiner after it.
  it.each([
    ['a name ending in U+2800 (braille blank)', { name: 'kettle\u2800' }, ['name']],
    ['a name starting with U+2800', { name: '\u2800kettle' }, ['name']],
    ['a hieroglyph then U+13430 (an Egyptian joiner)', { name: '\u{13000}\u{13430}' }, ['name']],
    [
      'a tag starting with U+13437 (a segment)',
      { name: 'a', tags: ['\u{13437}\u{13000}'] },
      ['tags.0'],
    ],
  ])('POST with %s → 400, nothing written', async (_label, body, fields) => {
    const before = await allItems();
    await expectInvalid(await post(body), fields);
    expect(await allItems()).toEqual(before);
  });

  it('POST with 9,000 unknown keys → a small 400: twenty named, the rest counted', async () => {
    // Under MAX_OBJECT_MEMBERS (a wider object is refused before it is parsed, hostile-input).
    const keys = Array.from({ length: 9_000 }, (_, i) => [`k${i.toString(36)}`, 0]);
    const body = Object.fromEntries(keys);
    const res = await post({ name: 'a', ...body });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(4_000); // before: every key named twice
    const problem = JSON.parse(text);
    expect(problem).toMatchObject({ code: 'INVALID_INPUT', moreErrors: 8_980 });
    expect(problem.errors).toHaveLength(20);
    expect(problem.detail).toMatch(/; and 8980 more$/);
  });

  it('POST with an unknown key cut across an emoji → a 400 that is well-formed text', async () => {
    // Its 200th character is an emoji's first half: the cut left `\ud83d` in detail and field,
    // which a strict client's JSON parser (Rust's serde_json) refuses, so the 400 was unreadable.
    const key = `${'k'.repeat(199)}${'\u{1F600}'.repeat(5)}`;
    const res = await post({ name: 'a', [key]: 1 });
    expect(res.status).toBe(400);
    const text = await res.text();
    const problem = JSON.parse(text);
    expect(problem.errors).toEqual([{ field: `${'k'.repeat(199)}…`, message: 'unknown field' }]);
    // With the `u` flag a pair is one code point: this matches an unpaired half only.
    expect(problem.detail).not.toMatch(/[\uD800-\uDFFF]/u);
  });

  it('POST with a key that is an unpaired surrogate → a 400 naming it as its escape, well-formed', async () => {
    // JSON.stringify wrote the key back as `\ud800`, the lone half a strict client refuses.
    for (const [body, field] of [
      ['{"name":"a","\\ud800":1}', '\\ud800'],
      ['{"name":"a","t":{"x\\udfff":1,"x\\udfff":2}}', '/t/x\\udfff'],
    ] as const) {
      const res = await fetch(`${t.baseUrl}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      const text = await res.text();
      // No `\uD800`-`\uDFFF` escape in the answer (an escaped backslash before one is text).
      expect(text).not.toMatch(/(?<!\\)\\u[dD][89a-fA-F]/);
      expect(JSON.parse(text).errors[0].field).toBe(field);
    }
  });

  it('POST with a malformed Idempotency-Key → 400 naming the header', async () => {
    const before = await allItems();
    await expectInvalid(await post({ name: 'a' }, { 'idempotency-key': long(300) }), [
      'idempotency-key',
    ]);
    expect(await allItems()).toEqual(before);
  });

  // zod's own words ("expected object, received undefined") described the parser, not the request.
  it.each([
    ['POST', '/api/items', {}],
    ['PATCH', '/api/items/1', { 'if-match': '*' }],
  ])('%s %s without a body → 400 saying a JSON body is needed', async (method, path, headers) => {
    const res = await fetch(`${t.baseUrl}${path}`, { method, headers });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field: 'body', message: 'a JSON object is required (Content-Type: application/json)' },
    ]);
  });

  // Zero bytes of content are no body, whatever the framing or the type: an empty chunked body
  // without a type was 415 "has a body but no Content-Type", and text/plain without content was
  // told to send application/json, which got EMPTY_JSON_BODY: the client was never told to send JSON.
  it.each([
    ['no Content-Type, an empty chunked body', 'Transfer-Encoding: chunked\r\n', '0\r\n\r\n'],
    ['text/plain, Content-Length: 0', 'Content-Type: text/plain\r\nContent-Length: 0\r\n', ''],
    ['text/plain, no length', 'Content-Type: text/plain\r\n', ''],
    [
      'a form type, an empty chunked body',
      'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n',
      '0\r\n\r\n',
    ],
  ])('POST /api/items, %s → 400 saying a JSON body is needed', async (_, headers, body) => {
    const res = await rawRequest(
      t.ports.public,
      `POST /api/items HTTP/1.1\r\nHost: a\r\n${headers}Connection: close\r\n\r\n${body}`,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors).toEqual([
      { field: 'body', message: 'a JSON object is required (Content-Type: application/json)' },
    ]);
  });

  // "given more than once" is for a query parameter sent twice; a JSON array was sent once.
  it.each([
    ['name', { name: ['x'] }],
    ['tags.0', { name: 'a', tags: [['x']] }],
  ])('POST with an array where %s is a string → 400 saying so', async (field, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field, message: 'Invalid input: expected string, received array' },
    ]);
  });

  // Space is printable ASCII, and the key was refused as "not printable ASCII characters".
  it('POST with an Idempotency-Key holding a space → 400 saying a space is what is refused', async () => {
    const res = await post({ name: 'a' }, { 'idempotency-key': 'order 42' });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      {
        field: 'idempotency-key',
        message: 'expected 1-255 visible ASCII characters (no space or control character)',
      },
    ]);
  });

  // Node joins two lines into "k1, k2", and the answer was the space's: "expected 1-255 visible
  // ASCII characters (no space…)", for a key the client sent twice. /echo reads the same header.
  it.each([
    ['/api/items', 'two keys', ['k1', 'k2']],
    ['/api/items', 'one key twice', ['k1', 'k1']],
    ['/echo', 'two keys', ['k1', 'k2']],
  ])(
    'POST %s with Idempotency-Key on two lines (%s) → 400 saying it was sent twice',
    async (path, _, keys) => {
      const before = await allItems();
      const body = '{"name":"twice"}';
      const res = await rawRequest(
        t.ports.public,
        `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n` +
          keys.map((key) => `Idempotency-Key: ${key}\r\n`).join('') +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(res.status).toBe(400);
      const problem = JSON.parse(res.body);
      expect(problem.code).toBe('INVALID_INPUT');
      expect(problem.errors).toEqual([
        { field: 'idempotency-key', message: 'given more than once; send it once' },
      ]);
      expect(await allItems()).toEqual(before);
    },
  );

  it('POST with one Idempotency-Key holding ", " → 400 for its space, not as sent twice', async () => {
    const res = await post({ name: 'a' }, { 'idempotency-key': 'k1, k2' });
    expect((await json(res)).errors).toEqual([
      {
        field: 'idempotency-key',
        message: 'expected 1-255 visible ASCII characters (no space or control character)',
      },
    ]);
  });

  // `W/*` (`*` cannot be weak) was `*` to PATCH and DELETE (412) and a tag matching nothing to GET
  // (200); a malformed list matched nothing, so a GET answered 200 and a DELETE went ahead.
  describe('an If-Match or If-None-Match that is neither * nor entity tags → 400 naming it', () => {
    const path = () => `${t.baseUrl}/api/items/${existingId}`;
    const read = async () => json(await fetch(path()));

    it.each(['W/*', '*, "1.1"', 'garbage', '"1.1', '"1.1" "1.2"', 'W/ "1.1"'])(
      '%j, on GET, PATCH and DELETE alike, the item unchanged',
      async (value) => {
        const before = await read();
        for (const name of ['if-none-match', 'if-match']) {
          // PATCH needs an If-Match: the current one, unless If-Match is the header tried.
          const patchHeaders = { 'content-type': 'application/json', 'if-match': etag };
          const answers = [
            await fetch(path(), { headers: { [name]: value } }),
            await fetch(path(), {
              method: 'PATCH',
              headers: { ...patchHeaders, [name]: value },
              body: '{"name":"changed"}',
            }),
            await fetch(path(), { method: 'DELETE', headers: { [name]: value } }),
          ];
          for (const res of answers) await expectInvalid(res, [name]);
          expect(await read()).toEqual(before);
        }
      },
    );

    it('names the header and says what it expects', async () => {
      const res = await fetch(path(), { headers: { 'if-none-match': 'W/*' } });
      expect((await json(res)).errors).toEqual([
        {
          field: 'if-none-match',
          message: 'expected * or a comma-separated list of entity tags ("1.1" or W/"1.1")',
        },
      ]);
    });

    it('a valid list is still read: empty elements, a weak tag, a comma inside a tag', async () => {
      const hit = await fetch(path(), { headers: { 'if-none-match': `, "a,b", W/${etag}` } });
      expect(hit.status).toBe(304);
      const miss = await fetch(path(), { headers: { 'if-none-match': 'W/"x"' } });
      expect(miss.status).toBe(200);
    });
  });

  it.each([
    ['a wrong type', { name: ['x'] }, ['name']],
    ['an unknown field', { version: 9 }, ['version']],
    ['no field at all', {}, ['body']],
    ['an oversized name', { name: long(1000) }, ['name']],
  ])('PATCH with %s → 400 and the item unchanged', async (_label, body, fields) => {
    const res = await fetch(`${t.baseUrl}/api/items/${existingId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': etag },
      body: JSON.stringify(body),
    });
    await expectInvalid(res, fields);
    const now = await json(await fetch(`${t.baseUrl}/api/items/${existingId}`));
    expect(now).toEqual(
      expect.objectContaining({ name: 'original', description: 'kept', version: 1 }),
    );
  });

  // 101 and 5,000 digits: past Fastify's default 100-character parameter (it answered 414).
  it.each([
    'abc',
    '0',
    '-1',
    '1.5',
    '99999999999999999999',
    '9223372036854775808',
    '01',
    '1'.repeat(101),
    '1'.repeat(5_000),
  ])('invalid id %j → 400 naming id, on GET, PATCH and DELETE', async (id) => {
    const path = `${t.baseUrl}/api/items/${encodeURIComponent(id)}`;
    await expectInvalid(await fetch(path), ['id']);
    await expectInvalid(
      await fetch(path, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'if-match': '*' },
        body: '{"name":"x"}',
      }),
      ['id'],
    );
    await expectInvalid(await fetch(path, { method: 'DELETE' }), ['id']);
  });

  it.each([
    ['limit=0', ['limit']],
    ['limit=101', ['limit']],
    ['limit=ten', ['limit']],
    ['limit=5&limit=6', ['limit']],
    ['cursor=not-a-cursor', ['cursor']],
    [`cursor=${Buffer.from('items:abc').toString('base64url')}`, ['cursor']],
    [`cursor=${Buffer.from('users:5').toString('base64url')}`, ['cursor']],
    ['cursor=', ['cursor']],
    ['limit=-3&cursor=%%', ['limit', 'cursor']],
    // A mistyped parameter was ignored: the first page again, and a client paging with it looped.
    ['cursr=abc', ['cursr']],
    ['limt=5&cursor=', ['limt', 'cursor']],
    ['limit[]=5', ['limit[]']],
  ])('GET /api/items?%s → 400', async (qs, fields) => {
    await expectInvalid(await fetch(`${t.baseUrl}/api/items?${qs}`), fields);
  });

  it('names an unknown query parameter as one, not as a body field', async () => {
    const body = await json(await fetch(`${t.baseUrl}/api/items?cursr=abc`));
    expect(body.errors).toEqual([{ field: 'cursr', message: 'unknown query parameter' }]);
  });

  // DELETE reads no body: one was ignored and the item deleted, whatever it asked
  // (`{"ifVersion": 3}` looks like a condition and was none).
  it.each([['{"ifVersion":3}'], ['{}'], ['null'], ['[]']])(
    'DELETE with a JSON body %s → 400 naming the body, the item kept',
    async (body) => {
      const res = await fetch(`${t.baseUrl}/api/items/${existingId}`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await expectInvalid(res, ['body']);
      expect((await fetch(`${t.baseUrl}/api/items/${existingId}`)).status).toBe(200);
    },
  );

  // Fastify never reads a GET's or HEAD's content: `{"cursor": …}` sent as a body was ignored
  // and the client, paging with it, got the first page again, forever.
  describe('a GET or HEAD with content → 400 naming the body', () => {
    const port = () => Number(new URL(t.baseUrl).port);
    const send = (method: string, target: string, framing: string, content: string) =>
      rawRequest(
        port(),
        `${method} ${target} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n${framing}\r\n${content}`,
        { head: method === 'HEAD' },
      );
    const body = '{"cursor":"aXRlbXM6MQ","limit":1}';

    it.each([
      ['GET', '/api/items'],
      ['GET', `/api/items/{id}`],
      ['HEAD', '/api/items'],
      ['HEAD', `/api/items/{id}`],
    ])('%s %s with a Content-Length body', async (method, target) => {
      const res = await send(
        method,
        target.replace('{id}', existingId),
        `Content-Length: ${body.length}\r\n`,
        body,
      );
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      if (method === 'GET') {
        expect(JSON.parse(res.body).errors).toEqual([
          { field: 'body', message: 'this route takes no body' },
        ]);
      }
    });

    it('GET with a chunked body', async () => {
      const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      const res = await send('GET', '/api/items', 'Transfer-Encoding: chunked\r\n', chunked);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).errors).toEqual([
        { field: 'body', message: 'this route takes no body' },
      ]);
    });

    it.each([
      ['Content-Length: 0', 'Content-Length: 0\r\n', ''],
      ['an empty chunked body', 'Transfer-Encoding: chunked\r\n', '0\r\n\r\n'],
    ])('GET with %s is no body: 200', async (_label, framing, content) => {
      const res = await send('GET', `/api/items/${existingId}`, framing, content);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).id).toBe(existingId);
    });
  });

  it('after all of the above, exactly the one item exists, unchanged', async () => {
    const items = await allItems();
    expect(items).toHaveLength(1);
    expect(items[0]).toEqual(
      expect.objectContaining({ id: existingId, name: 'original', version: 1 }),
    );
  });
});
