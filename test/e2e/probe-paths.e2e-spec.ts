import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Port = 'public' | 'probe';

/**
 * The kubelet may be pointed at either port (PROBE_PORT in the chart, the public port by hand):
 * a probe path answers the same on both. The probe port answered `/healthz/` 404 where the
 * public port redirected it, and the public port refused a probe whose x-request-timeout it
 * could not read, where the probe port never read it.
 */
describe('probe paths answer alike on the public and the probe port', () => {
  let t: TestApp;
  let ports: Record<Port, number>;

  beforeAll(async () => {
    t = await startTestApp();
    ports = t.ports;
  });
  afterAll(() => t.close());

  const send = (which: Port, line: string, headers = '') =>
    rawRequest(ports[which], `${line} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${headers}\r\n`, {
      head: line.startsWith('HEAD'),
    });

  // The kubelet follows a redirect to the same host, so a probe set to `/healthz/` checks
  // `/healthz` on either port.
  it.each([
    ['GET /healthz/', '/healthz'],
    ['HEAD /readyz/', '/readyz'],
    ['GET /startupz//', '/startupz'],
    ['GET /readyz/?verbose', '/readyz?verbose'],
  ])('%s → 308 to %s on both ports, which answers 200', async (line, location) => {
    for (const which of ['public', 'probe'] as const) {
      const res = await send(which, line);
      expect({ which, status: res.status, location: res.headers.location }).toEqual({
        which,
        status: 308,
        location,
      });
      expect((await send(which, `GET ${location}`)).status).toBe(200);
    }
  });

  // The public port answered 404 (the redirect is for GET and HEAD), the probe port 405.
  it.each(['POST /healthz/', 'DELETE /readyz/?verbose', 'PUT /startupz//'])(
    '%s → 405 with Allow: GET, HEAD on both ports: the slashed path answers those two',
    async (line) => {
      for (const which of ['public', 'probe'] as const) {
        const res = await send(which, line, 'Content-Length: 0\r\n');
        expect({ which, status: res.status, allow: res.headers.allow }).toEqual({
          which,
          status: 405,
          allow: 'GET, HEAD',
        });
        expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
      }
    },
  );

  // The probe port answered 405 for any path, the public port 404 where no route is.
  it.each(['POST /nope', 'DELETE /nope/', 'POST //healthz/', 'POST /healthz%2F'])(
    '%s, no GET route there either: 404 on both ports',
    async (line) => {
      for (const which of ['public', 'probe'] as const) {
        const res = await send(which, line, 'Content-Length: 0\r\n');
        expect({ which, status: res.status }).toEqual({ which, status: 404 });
        expectProblem(res, 404, 'NOT_FOUND');
      }
    },
  );

  it('the public port: another method on a slashed route path is 405, GET and HEAD allowed', async () => {
    const res = await send('public', 'POST /hello/', 'Content-Length: 0\r\n');
    expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  // An escaped slash is no slash to take off: the probe port decoded `/healthz%2F` to
  // `/healthz/` and redirected it to itself, a loop for any client that follows redirects.
  it.each([
    'GET /nope/',
    'GET //healthz/',
    'GET /healthz%2F',
    'GET /readyz%2f',
    'GET /healthz%2F/',
    'GET /startupz/%2F',
  ])('%s, no probe without the slash either: 404 on both ports, no redirect', async (line) => {
    for (const which of ['public', 'probe'] as const) {
      expectProblem(await send(which, line), 404, 'NOT_FOUND');
    }
  });

  // The kubelet never sends one; a probe must not fail on a header.
  it.each(['abc', '0', '-1', '1.5', ''])(
    'x-request-timeout: %j on a probe path is ignored on both ports: 200',
    async (value) => {
      for (const which of ['public', 'probe'] as const) {
        for (const path of ['/healthz', '/readyz', '/startupz?x']) {
          const res = await send(which, `GET ${path}`, `x-request-timeout: ${value}\r\n`);
          expect({ which, path, status: res.status }).toEqual({ which, path, status: 200 });
        }
      }
    },
  );

  it('x-request-timeout still refuses a malformed value on other routes: 400', async () => {
    const res = await send('public', 'GET /hello', 'x-request-timeout: abc\r\n');
    expectProblem(res, 400, 'INVALID_REQUEST_TIMEOUT');
  });
});
