import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Port = 'public' | 'admin' | 'probe';

/**
 * What each listener makes of a request target that is not a plain path: the absolute-form is
 * served from its path (RFC 9112 §3.2.2), `/` when it has none, and never sends the client to the
 * host it names; a URL of a scheme other than http or https, userinfo and a fragment, which no
 * request target here carries, are refused.
 */
describe('request targets on every port', () => {
  let t: TestApp;
  let ports: Record<Port, number>;

  beforeAll(async () => {
    t = await startTestApp();
    ports = t.ports;
  });
  afterAll(() => t.close());

  const send = (which: Port, target: string, method = 'GET') =>
    rawRequest(
      ports[which],
      `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );

  // The redirect was built from the target as sent: `Location: http://evil.example/healthz`.
  it.each([
    ['public', 'http://evil.example/healthz/', '/healthz'],
    ['public', 'https://evil.example:8443/readyz/?verbose', '/readyz?verbose'],
    ['public', 'http://evil.example/docs/', '/docs'],
    ['probe', 'http://evil.example/healthz/', '/healthz'],
    ['probe', 'http://evil.example/readyz//?verbose', '/readyz?verbose'],
    ['admin', 'http://evil.example/metrics/', '/metrics'],
  ] as const)(
    '%s port: GET %s → 308 to %s, a path on this server, not the host the target names',
    async (which, target, location) => {
      const res = await send(which, target);
      expect({ status: res.status, location: res.headers.location }).toEqual({
        status: 308,
        location,
      });
      expect((await send(which, location)).status).toBe(200);
    },
  );

  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: an absolute-form target whose path starts // is not redirected (a host to a browser)',
    async (which) => {
      const path = which === 'admin' ? '//metrics/' : '//healthz/';
      const res = await send(which, `http://evil.example${path}`);
      expect(res.headers.location).toBeUndefined();
      expectProblem(res, 404, 'NOT_FOUND');
    },
  );

  // A 404's detail quotes the path as sent, what its `instance` names: it quoted the scheme and
  // the host the target named (`No route GET http://example.com/nope`), on every port.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: a 404 for an absolute-form target quotes its path alone, as `instance` does',
    async (which) => {
      for (const [target, path] of [
        ['http://example.com/nope', '/nope'],
        ['HTTPS://example.com:8443/nope/%41?q=http://other.example/', '/nope/%41'],
      ]) {
        const body = expectProblem(await send(which, target!), 404, 'NOT_FOUND');
        expect({ target, instance: body.instance, quoted: body.detail.split(' ').at(-1) }).toEqual({
          target,
          instance: path,
          quoted: path,
        });
        expect(body.detail).not.toMatch(/example|:\/\//i);
      }
    },
  );

  // A problem names the target's path alone, `/` for an empty one, on every port
  // (problem-instance.e2e-spec.ts): the admin and probe ports named `http://x`.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: a problem for an absolute-form target with an empty path names `/`',
    async (which) => {
      const res = await send(which, 'http://x?x=1', 'DELETE');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect((JSON.parse(res.body) as { instance: string }).instance).toBe('/');
    },
  );

  // RFC 9112 §3.2.2: the absolute-form is the whole absolute-URI, whose path may be empty and
  // whose query may hold a `/`; RFC 9110 §4.2.3 reads an empty path as `/`. On the public port
  // Nest's adapter took the `/` after the `?` for the path's start: 404 "Cannot GET", `instance`
  // cut to `http://x`, where `/` answered with its home page.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: an absolute-form target with an empty path is `/` with its query',
    async (which) => {
      for (const query of ['a/hello', 'a/healthz', 'x=1']) {
        const absolute = await send(which, `http://x?${query}`);
        const origin = await send(which, `/?${query}`);
        expect({ query, status: absolute.status, type: absolute.headers['content-type'] }).toEqual({
          query,
          status: origin.status,
          type: origin.headers['content-type'],
        });
        // A problem names the path, without the query (problem-instance.e2e-spec.ts).
        if (origin.status >= 400) {
          const { code, instance } = JSON.parse(absolute.body) as Record<string, string>;
          expect({ code, instance }).toEqual({
            code: JSON.parse(origin.body).code,
            instance: '/',
          });
        }
      }
      // What `/` answers on each port: the home page, the status page, no probe.
      expect((await send(which, 'http://x?a/hello')).status).toBe(which === 'probe' ? 404 : 200);
    },
  );

  // Only http and https name an origin server's resources (RFC 9110 §4.2): a URL of another
  // scheme matched no route (404, whatever the method) on the public and admin ports, and was
  // served from its path on the probe port.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: an absolute-form target of another scheme → 400 BAD_REQUEST, whatever the method',
    async (which) => {
      const path = which === 'admin' ? '/metrics' : '/healthz';
      for (const target of [`ftp://x${path}`, `FILE://x${path}`, `ws://x${path}`]) {
        for (const method of ['GET', 'POST', 'DELETE']) {
          const res = await rawRequest(
            ports[which],
            `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n`,
          );
          expect({ target, method, status: res.status }).toEqual({ target, method, status: 400 });
          const body = expectProblem(res, 400, 'BAD_REQUEST');
          expect(body.detail).toContain('http:// or https://');
        }
      }
      // The scheme is case-insensitive (RFC 3986 §3.1): HTTPS:// is one of the two.
      expect((await send(which, `HTTPS://x${path}`)).status).toBe(200);
    },
  );

  // The router refuses an absolute-form target the WHATWG URL parser cannot read; with an empty
  // path, the public port's rewrite to `/` hid it from the router, and the home page answered
  // `GET http://x:99999?q` where the admin port said 400. The probe port read past them to the path.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: a URL whose host or port is none → 400 MALFORMED_URL, its path empty or not',
    async (which) => {
      const path = which === 'admin' ? '/metrics' : '/healthz';
      for (const target of [
        `http://x:99999${path}`,
        'http://x:99999?q',
        'http://x:99999',
        'http://[::1?q',
        `http://${path}`,
      ]) {
        const res = await send(which, target);
        expect({ target, status: res.status }).toEqual({ target, status: 400 });
        expect(expectProblem(res, 400, 'MALFORMED_URL').detail).toContain('host');
      }
      expect((await send(which, `http://x:65535${path}`)).status).toBe(200);
    },
  );

  // Fastify's router answers a target it cannot read before any hook: it said 400 to these,
  // where every other request is checked for its version and Host first.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: a target the router refuses meets the version and Host checks first',
    async (which) => {
      const http2 = await rawRequest(
        ports[which],
        'GET http://x:99999/ HTTP/2.0\r\nHost: localhost\r\n\r\n',
      );
      expectProblem(http2, 505, 'HTTP_VERSION_NOT_SUPPORTED');
      const noHost = await rawRequest(ports[which], 'GET /%zz HTTP/1.1\r\n\r\n');
      expect(expectProblem(noHost, 400, 'BAD_REQUEST').detail).toContain('Host');
      // A fragment is BAD_REQUEST whatever the target's form: the router said MALFORMED_URL to
      // this one.
      const fragment = await send(which, 'http://x/hello#x');
      expect(expectProblem(fragment, 400, 'BAD_REQUEST').detail).toContain('fragment');
    },
  );

  // RFC 9110 §4.2.4: a recipient should treat userinfo in a target as an error. It was served.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: userinfo in the target → 400 BAD_REQUEST',
    async (which) => {
      const path = which === 'admin' ? '/metrics' : '/healthz';
      for (const target of [`http://u:p@x${path}`, `http://u@x${path}?q`]) {
        const body = expectProblem(await send(which, target), 400, 'BAD_REQUEST');
        expect(body.detail).toContain('userinfo');
      }
      // The same target without it is served.
      expect((await send(which, `http://x${path}`)).status).toBe(200);
    },
  );

  // RFC 9112 §3.2: a target is a path (origin-form), a URL (absolute-form), `*` (OPTIONS) or an
  // authority (CONNECT). llhttp passes one that starts with `*`: the router read `*hello` as
  // `/`, so on the public port GET was 404 "Cannot GET *hello" and POST 405 `Allow: GET, HEAD`;
  // the admin and probe ports answered 404. Targets llhttp refuses (`xyz`) were 400 already.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: a target in no form a request may use → 400 BAD_REQUEST, whatever the method',
    async (which) => {
      for (const target of ['*hello', '*/healthz', '**', '*?x=1', 'xyz']) {
        for (const method of ['GET', 'POST', 'DELETE']) {
          const res = await rawRequest(
            ports[which],
            `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n`,
          );
          expect({ target, method, status: res.status }).toEqual({ target, method, status: 400 });
          expectProblem(res, 400, 'BAD_REQUEST');
        }
      }
      const body = expectProblem(await send(which, '*hello'), 400, 'BAD_REQUEST');
      expect(body.detail).toContain('path');
    },
  );

  // RFC 9112 §3.2: a request target has no fragment. `/hello#x` was served as `/hello`.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: a fragment in the target → 400 BAD_REQUEST',
    async (which) => {
      const path = which === 'admin' ? '/metrics' : which === 'public' ? '/hello' : '/healthz';
      const body = expectProblem(await send(which, `${path}#frag`), 400, 'BAD_REQUEST');
      expect(body.detail).toContain('fragment');
      expect((await send(which, path)).status).toBe(200);
    },
  );
});
