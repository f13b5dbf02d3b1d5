import { answer, BackendServer, type BackendHandler } from '../support/backend-server.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

const UPSTREAM_TIMEOUT_MS = 1_000;

/** Answers `status` with `text` as its body, typed JSON. */
const jsonText =
  (text: string, status = 200): BackendHandler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  };

/** Writes `bytes` on the socket as the whole answer, whatever HTTP says; closes it or not. */
const raw =
  (bytes: string, close: boolean): BackendHandler =>
  (_req, res) =>
    close ? res.socket?.end(bytes) : res.socket?.write(bytes);

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n';

describe('hostile backend answers to /api/fanout: each ends in its own entry, never in the answer or the process (one connection, so leftovers would meet the next call)', () => {
  let backend: BackendServer;
  let t: TestApp;

  beforeAll(async () => {
    backend = await new BackendServer().start();
    t = await startTestAppWithDatabase({
      BACKEND_URLS: backend.url,
      UPSTREAM_CONNECTIONS: '1',
      UPSTREAM_RETRY_MAX: '0',
      UPSTREAM_BREAKER_THRESHOLD: '1000', // the breaker is upstream-hostile-backend's subject
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    });
  });
  afterEach(async () => {
    // Nothing of the hostile answer outlives its call: the next one gets its own answer, and
    // no object in the process inherits what a backend sent.
    backend.handler = answer(200, { next: true });
    expect((await fanout()).backends[0]).toMatchObject({ ok: true, body: { next: true } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
  });

  const fanout = async (): Promise<JsonBody> => {
    const res = await fetch(`${t.baseUrl}/api/fanout`);
    expect(res.status).toBe(200);
    return json(res);
  };

  // JSON a request body could not be is kept as the text it is, as JSON nested too deep is
  // (upstream-hostile-backend): never read as a value some other reader may read differently.
  it.each([
    ['a key repeated within one object', '{"degraded":true,"degraded":false}'],
    ['a __proto__ key', '{"__proto__":{"degraded":true,"polluted":1},"x":1}'],
    ['a __proto__ key written with an escape', '{"\\u005f_proto__":{"polluted":1}}'],
    ['a constructor holding a prototype', '{"constructor":{"prototype":{"polluted":1}}}'],
    ['an object wider than the limit', JSON.stringify({ ...Array(10_001).fill(0) })],
    ['text that is not JSON', '<html>oops</html>'],
  ])('%s: the entry keeps it as text', async (_name, text) => {
    backend.handler = jsonText(text);
    const answer = await fanout();
    expect(answer.backends[0]).toMatchObject({ ok: true, status: 200, body: text });
    expect(answer.degraded).toBe(false);
  });

  it('a 500 whose body has a __proto__ key and a repeated one: UPSTREAM_BAD_STATUS, its body kept as text', async () => {
    const text = '{"__proto__":{"polluted":1},"a":1,"a":2}';
    backend.handler = jsonText(text, 500);
    expect((await fanout()).backends[0]).toMatchObject({
      ok: false,
      status: 500,
      error: 'UPSTREAM_BAD_STATUS',
      body: text,
    });
  });

  it('a body declared over 1 MiB: 502 UPSTREAM_BAD_RESPONSE at once, without waiting for it', async () => {
    backend.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000000' });
      res.write('{"a":"'); // and nothing more: read to the end, this would time out
    };
    expect((await fanout()).backends[0]).toMatchObject({
      status: 502,
      error: 'UPSTREAM_BAD_RESPONSE',
      degraded: true,
    });
  });

  it('a body streamed past 1 MiB: 502 UPSTREAM_BAD_RESPONSE', async () => {
    backend.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length to refuse
      res.end(`"${'x'.repeat(1024 * 1024 + 1)}"`);
    };
    expect((await fanout()).backends[0]).toMatchObject({
      status: 502,
      error: 'UPSTREAM_BAD_RESPONSE',
      degraded: true,
    });
  });

  it.each([
    ['a body shorter than its Content-Length', `${HEAD}Content-Length: 100\r\n\r\n{"a":1`],
    [
      'a chunked body without its last chunk',
      `${HEAD}Transfer-Encoding: chunked\r\n\r\n6\r\n{"a":1\r\n`,
    ],
  ])(
    '%s, then the connection closed: 502 UPSTREAM_BAD_RESPONSE, the answer cut short',
    async (_name, bytes) => {
      backend.handler = raw(bytes, true);
      const entry = (await fanout()).backends[0];
      expect(entry).toMatchObject({ status: 502, error: 'UPSTREAM_BAD_RESPONSE', degraded: true });
      expect(entry.detail).toContain('body cut short after 6');
    },
  );

  it('a body shorter than its Content-Length, the connection left open: UPSTREAM_TIMEOUT at the timeout, no hang', async () => {
    backend.handler = raw(`${HEAD}Content-Length: 100\r\n\r\n{"a":1`, false);
    const entry = (await fanout()).backends[0];
    expect(entry).toMatchObject({ status: 504, error: 'UPSTREAM_TIMEOUT', degraded: true });
    expect(entry.latencyMs).toBeLessThan(UPSTREAM_TIMEOUT_MS * 3);
  });

  it('bytes past the Content-Length, a whole answer of their own: the entry reads the declared body, and the next call never gets them', async () => {
    const smuggled = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{"smuggled":1}`;
    backend.handler = raw(`${HEAD}Content-Length: 7\r\n\r\n{"a":1}${smuggled}`, false);
    expect((await fanout()).backends[0]).toMatchObject({ ok: true, body: { a: 1 } });
  });
});
