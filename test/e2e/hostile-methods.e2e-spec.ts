import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminServer } from '../../src/admin/admin.server.js';
import { rawExchange, rawRequest, statusesOf } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

/** Resolves once the next connection `server` accepts has read `bytes` bytes off the wire. */
function nextConnectionRead(server: Server, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('connection', (socket: Socket) => {
      until(() => socket.bytesRead >= bytes, 5_000).then(resolve, reject);
    });
  });
}

describe('methods and paths: 405 with Allow where the path exists, 404 where it does not', () => {
  let t: TestApp;
  let port: number;
  let adminPort: number;

  beforeAll(async () => {
    t = await startTestApp();
    port = Number(new URL(t.baseUrl).port);
    adminPort = Number(new URL(t.adminUrl).port);
  });
  afterAll(() => t.close());

  it('an unsupported method on a known path → 405 with Allow listing the route methods', async () => {
    const res = await fetch(`${t.baseUrl}/api/items/1`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');

    const hello = await fetch(`${t.baseUrl}/hello?x=1`, { method: 'POST' });
    expect(hello.status).toBe(405);
    expect(hello.headers.get('allow')).toBe('GET, HEAD');
  });

  it('405 wins over the body: a form post to a GET-only path is 405, not 415', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`, { method: 'POST', body: 'a=1' });
    expect(res.status).toBe(405);
  });

  it('an unknown path is still 404 NOT_FOUND, whatever the method or body', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await fetch(`${t.baseUrl}/no/such/path`, {
        method,
        body: method === 'GET' ? undefined : 'a=1',
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
    }
  });

  it('CONNECT → 405 problem+json with an empty Allow, not a silent close, on both ports', async () => {
    for (const p of [port, adminPort]) {
      const res = await rawRequest(
        p,
        'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      );
      expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('');
      expect(res.closed).toBe(true);
    }
  });

  // RFC 9110 §9.1: a method is case-sensitive, and one the server does not recognise SHOULD be
  // answered 501. llhttp refuses every method it does not know before a request exists, and the
  // answer was 400 BAD_REQUEST "could not be parsed", as if the bytes were garbage.
  it.each([
    ['get', 'GET'],
    ['Get', 'GET'],
    ['FOO', undefined],
    ['GETX', undefined],
    ['BREW', undefined],
  ])(
    'an unknown method (%s) → 501 METHOD_NOT_IMPLEMENTED, closed, on every port',
    async (method, hint) => {
      const probePort = Number(new URL(t.probeUrl).port);
      for (const p of [port, adminPort, probePort]) {
        const res = await rawRequest(p, `${method} /healthz HTTP/1.1\r\nHost: a\r\n\r\n`);
        expect({ p, status: res.status }).toEqual({ p, status: 501 });
        const body = expectProblem(res, 501, 'METHOD_NOT_IMPLEMENTED');
        expect(body.detail).toContain(method);
        if (hint) expect(body.detail).toContain(`case-sensitive: send ${hint}`);
        else expect(body.detail).not.toContain('case-sensitive');
        expect(res.closed).toBe(true);
      }
    },
  );

  // Bytes that are not a method at all (a TLS hello on the plain port, a tab for the space) are
  // an unreadable request line: still 400 (RFC 9112 §3).
  it.each([
    ['a TLS ClientHello', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
    ['a tab after the method', 'GET\t/healthz HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a space before it', ' GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a control character in it', 'G\x01T /healthz HTTP/1.1\r\nHost: a\r\n\r\n'],
  ])('%s → 400 BAD_REQUEST, not 501, on every port', async (_name, request) => {
    const probePort = Number(new URL(t.probeUrl).port);
    for (const p of [port, adminPort, probePort]) {
      const res = await rawRequest(p, Buffer.from(request, 'latin1'));
      expect({ p, status: res.status }).toEqual({ p, status: 400 });
      expectProblem(res, 400, 'BAD_REQUEST');
    }
  });

  // The method is read from the request line the parser stopped in, not from the packet's start
  // (a valid request's `GET`): the one before it is answered 200, then the refusal.
  it.each([
    ['PATCHY', 501, 'PATCHY is not implemented'],
    ['\x01PATCH', 400, 'could not be parsed'],
  ])(
    'a pipelined request whose method is %j: the one before it 200, then %d',
    async (method, status, detail) => {
      const probePort = Number(new URL(t.probeUrl).port);
      for (const p of [port, adminPort, probePort]) {
        const path = p === adminPort ? '/metrics' : '/healthz';
        const request = `${path} HTTP/1.1\r\nHost: a\r\n\r\n`;
        const { text } = await rawExchange(p, `GET ${request}${method} ${request}`);
        expect({ p, statuses: statusesOf(text) }).toEqual({ p, statuses: [200, status] });
        expect(text).toContain(detail);
      }
    },
  );

  /**
   * `first`, then `rest` in a second packet, once the server has read the first: on the probe
   * port, a thread of its own whose sockets the test cannot see, 200 ms later.
   */
  const inTwoPackets = (p: number, first: string, rest: string) => {
    const server =
      p === port
        ? (t.app.getHttpServer() as Server)
        : p === adminPort
          ? t.app.get(AdminServer).routes.server
          : undefined;
    const after = server ? nextConnectionRead(server, first.length) : sleep(200);
    return rawRequest(p, first, { later: { after, data: rest } });
  };

  // llhttp refuses a method at its first byte no known method has there, often before the
  // method's end. The method was read from the packet it refused in, so the same bytes split in
  // two writes were 400 "could not be parsed" (no space in the first packet: `BR`, `get`, `GETX`)
  // where in one they were 501. The method is now read on in the packets that follow.
  it.each([
    ['BR', 'EW /healthz', 501, 'BREW is not implemented here.'],
    [
      'get',
      ' /healthz',
      501,
      'get is not implemented here (methods are case-sensitive: send GET).',
    ],
    ['GETX', ' /healthz', 501, 'GETX is not implemented here.'],
    ['FO', 'O\t/healthz', 400, 'could not be parsed'],
  ])(
    'a request line split as %j + %j is answered as in one packet: %d, on every port',
    async (first, rest, status, detail) => {
      const probePort = Number(new URL(t.probeUrl).port);
      const tail = ' HTTP/1.1\r\nHost: a\r\n\r\n';
      for (const p of [port, adminPort, probePort]) {
        const whole = await rawRequest(p, `${first}${rest}${tail}`);
        const split = await inTwoPackets(p, first, `${rest}${tail}`);
        for (const [how, res] of [
          ['whole', whole],
          ['split', split],
        ] as const) {
          expect({ p, how, status: res.status }).toEqual({ p, how, status });
          expect(JSON.parse(res.body).detail).toContain(detail);
          expect(res.closed).toBe(true);
        }
      }
    },
  );

  // A method is the client's own text: cut by the one rule (errors/client-text.ts), where it was
  // cut at 40, in one packet or read on across two.
  it('a method of 5,000 characters → 501 naming its first 200, then …, on every port', async () => {
    const method = 'ABCDEFGHIJ'.repeat(500);
    const rest = `${method.slice(3_000)} /healthz HTTP/1.1\r\nHost: a\r\n\r\n`;
    const probePort = Number(new URL(t.probeUrl).port);
    for (const p of [port, adminPort, probePort]) {
      const whole = await rawRequest(p, `${method.slice(0, 3_000)}${rest}`);
      const split = await inTwoPackets(p, method.slice(0, 3_000), rest);
      for (const [how, res] of [
        ['whole', whole],
        ['split', split],
      ] as const) {
        const body = expectProblem(res, 501, 'METHOD_NOT_IMPLEMENTED');
        expect({ p, how, detail: body.detail }).toEqual({
          p,
          how,
          detail: `${method.slice(0, 200)}… is not implemented here.`,
        });
        expect(res.closed).toBe(true);
      }
    }
  });

  // What the parser took before the packet it refused in is out of reach here: a method that
  // began there is still 501, named by the part seen (in one packet: `FOO`, `GETX`).
  it.each([
    ['F', 'OO', '…OO'],
    ['G', 'ETX', '…ETX'],
  ])(
    'a method whose packet %j the parser took, refused in %j → 501 naming %s',
    async (first, rest, shown) => {
      const probePort = Number(new URL(t.probeUrl).port);
      for (const p of [port, adminPort, probePort]) {
        const res = await inTwoPackets(p, first, `${rest} /healthz HTTP/1.1\r\nHost: a\r\n\r\n`);
        const body = expectProblem(res, 501, 'METHOD_NOT_IMPLEMENTED');
        expect({ p, detail: body.detail }).toEqual({
          p,
          detail: `The method ${shown} is not implemented here.`,
        });
      }
    },
  );

  it('the admin port answers 405 with Allow too', async () => {
    const res = await fetch(`${t.adminUrl}/metrics`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(((await res.json()) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('an absolute-form target is answered from its path, never a 5xx', async () => {
    const res = await rawRequest(
      port,
      'GET http://other.example/healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBeLessThan(500);
  });

  // RFC 9112 §3.2.4: the asterisk-form is only for OPTIONS, about the server as a whole. Routed
  // as if it were `/`, `GET *` on the admin port served its status page and `OPTIONS *` on the
  // public port was 405 with `Allow: GET, HEAD`, methods a `*` target was then refused with.
  // On the public port Nest's adapter sent GET and HEAD (the methods `/` has) to its not-found
  // handler before rampart's hooks: 404 "Cannot GET *".
  it('OPTIONS * → 204 on every port; another method with the * target → 400', async () => {
    const probePort = Number(new URL(t.probeUrl).port);
    for (const p of [port, adminPort, probePort]) {
      const options = await rawRequest(p, 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n');
      expect({ p, status: options.status, body: options.body }).toEqual({
        p,
        status: 204,
        body: '',
      });
      for (const method of ['GET', 'POST', 'DELETE']) {
        const res = await rawRequest(
          p,
          `${method} * HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`,
        );
        expect({ p, method, status: res.status }).toEqual({ p, method, status: 400 });
        const body = expectProblem(res, 400, 'BAD_REQUEST');
        expect(body.detail).toContain('OPTIONS');
      }
      const head = await rawRequest(p, 'HEAD * HTTP/1.1\r\nHost: a\r\n\r\n', { head: true });
      expect({ p, status: head.status, type: head.headers['content-type'] }).toEqual({
        p,
        status: 400,
        type: expect.stringContaining('application/problem+json'),
      });
    }
  });

  // RFC 9110 §9.3.2: a HEAD is answered with the header fields its GET would get, and §8.6: a
  // Content-Length on it MUST be the length GET's content would have. Each detail named the
  // method, so HEAD's 404 announced one byte more than GET's, on every port.
  it.each([
    ['public', '404 on a path no route has', '/no-such-route'],
    ['admin', '404 on a path no route has', '/no-such-route'],
    ['probe', '404 on a path no route has', '/no-such-route'],
    ['public', '405 on a path without GET', '/echo'],
    ['admin', '405 on a path without GET', '/chaos/process/cpu'],
    ['public', '400 for the * target', '*'],
    ['admin', '400 for the * target', '*'],
    ['probe', '400 for the * target', '*'],
  ])(
    '%s port: HEAD has the headers of GET: its %s (%s), Content-Length included',
    async (listener, _answer, target) => {
      const p = { public: port, admin: adminPort, probe: Number(new URL(t.probeUrl).port) }[
        listener
      ]!;
      // One request id for both: the body repeats it.
      const ask = (method: string) =>
        rawRequest(
          p,
          `${method} ${target} HTTP/1.1\r\nHost: a\r\nx-request-id: head-as-get\r\n\r\n`,
          {
            head: method === 'HEAD',
          },
        );
      const [get, head] = [await ask('GET'), await ask('HEAD')];
      const headers = (res: typeof get) => ({
        status: res.status,
        type: res.headers['content-type'],
        length: res.headers['content-length'],
        allow: res.headers.allow,
      });
      expect(get.status).toBeGreaterThanOrEqual(400);
      expect(Number(get.headers['content-length'])).toBe(Buffer.byteLength(get.body));
      expect({ target, head: headers(head) }).toEqual({ target, head: headers(get) });
      expect(head.body).toBe('');
    },
  );

  // Sent to the not-found handler first, such a request skipped the version and Host checks.
  it.each([
    ['GET * HTTP/2.0\r\nHost: a\r\n\r\n', 505, 'HTTP_VERSION_NOT_SUPPORTED'],
    ['GET * HTTP/1.1\r\n\r\n', 400, 'BAD_REQUEST'],
    ['GET *hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, 'BAD_REQUEST'],
  ])(
    'public port: %j, a target Nest routes to its not-found handler, meets the protocol checks: %d, closed',
    async (request, status, code) => {
      const res = await rawRequest(port, request);
      expectProblem(res, status, code);
      expect(res.closed).toBe(true);
    },
  );

  // It was 404 "Cannot GET *hello" (test/e2e/request-targets.e2e-spec.ts has every port).
  it('public port: a target that is neither a path nor a URL, passing those checks, is 400', async () => {
    const res = await rawRequest(port, 'GET *hello HTTP/1.1\r\nHost: a\r\n\r\n');
    expectProblem(res, 400, 'BAD_REQUEST');
  });

  it('both listeners keep serving after every request above', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(200);
  });
});
