import { startTestAppWithDatabase } from '../support/database-app.js';
import { json } from '../support/http.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import type { TestApp } from '../support/test-app.js';

/**
 * A generic client sends its JSON Content-Type on every call, and fetch, Go's net/http and
 * Python's requests frame a POST without a body as `Content-Length: 0`. Where a route's body is
 * optional or absent, that request is the bodyless one curl sends (no length at all): it was
 * 400 EMPTY_JSON_BODY, so such a client could not increment a counter by its default or take a
 * pod out of rotation. A route whose JSON is its required input still says the body is empty.
 */
describe('application/json without content is no body where the route’s body is optional or absent', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestAppWithDatabase();
  });
  afterAll(() => t?.close());

  const FRAMINGS = [
    ['Content-Length: 0', 'Content-Length: 0\r\n', ''],
    ['an empty chunked body', 'Transfer-Encoding: chunked\r\n', '0\r\n\r\n'],
  ] as const;

  /** `line` with a JSON Content-Type and no content, framed as `framing` says. */
  const empty = (port: number, line: string, framing: string, content: string, extra = '') =>
    rawRequest(
      port,
      `${line} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n${framing}${extra}` +
        `Connection: close\r\n\r\n${content}`,
    );

  function expectProblem(res: RawResponse, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body).code).toBe(code);
  }

  it.each(FRAMINGS)(
    'POST /api/counters/:name/increment (%s) adds its default of 1',
    async (_name, framing, content) => {
      const name = `empty-json-${framing.length}`;
      const res = await empty(
        t.ports.public,
        `POST /api/counters/${name}/increment`,
        framing,
        content,
      );
      expect([res.status, res.body]).toEqual([200, JSON.stringify({ name, value: 1 })]);
      expect(await json(await fetch(`${t.baseUrl}/api/counters/${name}`))).toEqual({
        name,
        value: 1,
      });
    },
  );

  it.each(FRAMINGS)('POST /echo (%s) is the echo of no body: 204', async (_n, framing, content) => {
    const res = await empty(t.ports.public, 'POST /echo', framing, content);
    expect([res.status, res.body]).toEqual([204, '']);
  });

  it.each(FRAMINGS)(
    'admin POST /readyz/disable and /readyz/enable (%s) take the pod out and back',
    async (_name, framing, content) => {
      const disabled = await empty(t.ports.admin, 'POST /readyz/disable', framing, content);
      expect(disabled.status).toBe(200);
      expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(503);
      const enabled = await empty(t.ports.admin, 'POST /readyz/enable', framing, content);
      expect(enabled.status).toBe(200);
      expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
    },
  );

  it('admin PUT /chaos/process/cpu without content is told what its settings lack', async () => {
    const res = await empty(t.ports.admin, 'PUT /chaos/process/cpu', 'Content-Length: 0\r\n', '');
    expectProblem(res, 400, 'INVALID_INPUT');
    expect(JSON.parse(res.body).errors.map((e: { field: string }) => e.field)).toEqual(['share']);
    expect(await json(await fetch(`${t.adminUrl}/chaos/process`))).toMatchObject({ cpu: null });
  });

  it.each(FRAMINGS)(
    'a route whose JSON is its input still answers 400 EMPTY_JSON_BODY (%s), writing nothing',
    async (_name, framing, content) => {
      const created = await fetch(`${t.baseUrl}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"kept"}',
      });
      const { id } = await json(created);
      const etag = created.headers.get('etag') as string;
      expectProblem(
        await empty(t.ports.public, 'POST /api/items', framing, content),
        400,
        'EMPTY_JSON_BODY',
      );
      expectProblem(
        await empty(
          t.ports.public,
          `PATCH /api/items/${id}`,
          framing,
          content,
          `If-Match: ${etag}\r\n`,
        ),
        400,
        'EMPTY_JSON_BODY',
      );
      const page = await json(await fetch(`${t.baseUrl}/api/items?limit=100`));
      expect(page.items.filter((i: { id: string }) => Number(i.id) > Number(id))).toEqual([]);
      expect(await json(await fetch(`${t.baseUrl}/api/items/${id}`))).toMatchObject({
        name: 'kept',
        version: 1,
      });
    },
  );
});
