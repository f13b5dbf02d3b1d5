import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A route's path with a slash added answers as the path does: each method the path takes is
 * redirected to it (308: method and body kept), any other gets the path's own 405 and `Allow`.
 * Only GET and HEAD were redirected, so a path without a GET route answered 404 with a slash:
 * `GET /chaos/process/cpu` was 405 `Allow: PUT, DELETE` and `GET /chaos/process/cpu/` 404, and
 * `POST /readyz/disable/` 404 too.
 */
describe('a route path with a slash added answers as the path does, on the admin and public ports', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const port = (which: 'admin' | 'public') =>
    Number(new URL(which === 'admin' ? t.adminUrl : t.baseUrl).port);
  const send = (which: 'admin' | 'public', line: string) =>
    rawRequest(
      port(which),
      `${line} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      {
        head: line.startsWith('HEAD'),
      },
    );

  it('GET /chaos/process/cpu/ → 405 with Allow: PUT, DELETE, as GET /chaos/process/cpu', async () => {
    for (const path of ['/chaos/process/cpu', '/chaos/process/cpu/']) {
      const res = await send('admin', `GET ${path}`);
      expectRawProblem(res, 405, 'METHOD_NOT_ALLOWED');
      expect([path, res.headers.allow]).toEqual([path, 'PUT, DELETE']);
    }
  });

  it('PUT /chaos/process/cpu/?x=1 with a body → 308 to the path, query kept; nothing is started', async () => {
    const body = '{"share":0.01,"durationMs":100}';
    const res = await rawRequest(
      port('admin'),
      'PUT /chaos/process/cpu/?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect([res.status, res.headers.location]).toEqual([308, '/chaos/process/cpu?x=1']);
    const state = (await (await fetch(`${t.adminUrl}/chaos/process`)).json()) as { cpu: unknown };
    expect(state.cpu).toBeNull();
  });

  // Every admin route of the admin OpenAPI document: the slash-less path is sent only the methods
  // it lacks (each a 405); the methods it takes go to the slashed path alone, whose 308 is not
  // followed (`POST /chaos/process/exit` would end the process).
  it('every admin route path: each method answers with a slash as without, or is redirected', async () => {
    const document = (await (await fetch(`${t.adminUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const paths = Object.keys(document.paths).filter((path) => path !== '/' && !path.includes('{'));
    expect(paths).toEqual(expect.arrayContaining(['/chaos/process/cpu', '/readyz/disable']));
    for (const path of paths) {
      const taken = Object.keys(document.paths[path]!).map((m) => m.toUpperCase());
      if (taken.includes('GET')) taken.push('HEAD');
      for (const method of METHODS) {
        const slashed = await send('admin', `${method} ${path}/`);
        if (taken.includes(method)) {
          expect([method, path, slashed.status, slashed.headers.location]).toEqual([
            method,
            path,
            308,
            path,
          ]);
          continue;
        }
        const plain = await send('admin', `${method} ${path}`);
        expect([method, path, slashed.status, slashed.headers.allow]).toEqual([
          method,
          path,
          plain.status,
          plain.headers.allow,
        ]);
        expect([method, path, plain.status]).toEqual([method, path, 405]);
      }
    }
  });

  it('the public port alike: GET /echo/ → 405 with Allow: POST, as GET /echo', async () => {
    for (const path of ['/echo', '/echo/']) {
      const res = await send('public', `GET ${path}`);
      expectRawProblem(res, 405, 'METHOD_NOT_ALLOWED');
      expect([path, res.headers.allow]).toEqual([path, 'POST']);
    }
    const redirected = await send('public', 'POST /echo/');
    expect([redirected.status, redirected.headers.location]).toEqual([308, '/echo']);
  });

  it('a path no route answers, with a slash or without, stays 404', async () => {
    for (const line of ['GET /chaos/process/nope/', 'PUT /chaos/process/nope/', 'GET /nope/']) {
      expectRawProblem(await send('admin', line), 404, 'NOT_FOUND');
    }
  });
});
