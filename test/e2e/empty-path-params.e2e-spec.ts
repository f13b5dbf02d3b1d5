import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The router matches an empty segment for a path parameter (`/api/items/` is `/api/items/:id`
 * with id ''), and Nest's adapter then hands the request to its not-found handler. That made
 * PATCH and DELETE `/api/items/` 404 "Cannot PATCH /api/items/" where every other method there
 * is 405, and `Allow` listed PATCH and DELETE for that path (a POST's 405 named them) although
 * each answered 404 there; `POST /status/` was 405 with `Allow: GET, HEAD`, and GET there 404.
 */
describe('a path whose parameter is empty answers as the path it is, not as the route', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const send = (line: string) =>
    rawRequest(
      t.ports.public,
      `${line} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      { head: line.startsWith('HEAD') },
    );

  // /api/items/ answers as /api/items: what that path takes is redirected there (308), the rest
  // is its 405. Not as /api/items/:id, whose PATCH and DELETE need an id.
  it.each(['PATCH /api/items/', 'DELETE /api/items/', 'PUT /api/items/'])(
    '%s → 405 with the Allow of /api/items, each method of which is redirected',
    async (line) => {
      const res = await send(line);
      expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('GET, HEAD, POST');
      for (const method of res.headers.allow!.split(', ')) {
        const redirect = await send(`${method} /api/items/`);
        expect([method, redirect.status, redirect.headers.location]).toEqual([
          method,
          308,
          '/api/items',
        ]);
      }
    },
  );

  // No route answers these paths with any method, nor the path without its slash.
  it.each([
    'GET /api/counters/',
    'POST /api/counters/',
    'POST /api/counters//increment',
    'GET /status/',
    'POST /status/',
    'GET /delay/',
  ])('%s → 404 naming the path, like any path no route answers', async (line) => {
    const body = expectProblem(await send(line), 404, 'NOT_FOUND');
    expect(body.detail).toBe(`No route ${line}`);
  });

  it('HEAD /api/counters/ → 404, as GET there', async () => {
    const res = await send('HEAD /api/counters/');
    expect(res.status).toBe(404);
    expect(res.headers.allow).toBeUndefined();
  });
});
