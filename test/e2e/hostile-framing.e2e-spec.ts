import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('framing RFC 9112 says a server must reject: 400/408/413/431 problem+json on both ports', () => {
  let t: TestApp;
  let port: number;
  let adminPort: number;

  beforeAll(async () => {
    t = await startTestApp();
    port = Number(new URL(t.baseUrl).port);
    adminPort = Number(new URL(t.adminUrl).port);
  });
  const probePort = () => Number(new URL(t.probeUrl).port);
  afterAll(() => t.close());

  const get = (head: string) => `GET /healthz HTTP/1.1\r\n${head}\r\n`;

  it('a request Node and Fastify accept still answers 200 over the raw client', async () => {
    const res = await rawRequest(port, get('Host: a\r\nConnection: close\r\n'));
    expect(res.status).toBe(200);
  });

  it.each([
    ['two Host headers (RFC 9112 §3.2)', get('Host: a\r\nHost: b\r\n')],
    ['two identical Host headers', get('Host: a\r\nhost: a\r\n')],
    ['no Host on HTTP/1.1 (RFC 9112 §3.2)', get('')],
    ['a Host that is not host[:port]', get('Host: a b/c\r\n')],
    ['a Host with a path', get('Host: example.com/evil\r\n')],
  ])('%s → 400 BAD_REQUEST', async (_name, request) => {
    for (const p of [port, adminPort]) {
      expectProblem(
        await rawRequest(p, request.replace('/healthz', '/metrics')),
        400,
        'BAD_REQUEST',
      );
    }
    expectProblem(await rawRequest(port, request), 400, 'BAD_REQUEST');
  });

  // The Host is the target URI's authority (RFC 9110 §7.2): read as an absolute-form target's is,
  // where `GET http://a:99999/` is 400 MALFORMED_URL on every port.
  it.each([
    ['a port past 65535', 'a:65536'],
    ['a port of eleven digits', 'a:99999999999'],
    ['a port without a host', ':80'],
    ['an IP literal that is no IPv6 address', '[...]'],
    ['an IP literal of one colon', '[:]'],
    ['a malformed percent-escape', 'a%zz'],
    ['an escaped NUL', 'a%00b'],
    ['an escaped slash', 'a%2Fb'],
    ['a dotted quad past 255', '1.2.3.256'],
  ])('a Host with %s (%s) → 400 BAD_REQUEST on every port', async (_name, host) => {
    const request = `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    for (const p of [port, adminPort, probePort()]) {
      const res = await rawRequest(
        p,
        p === adminPort ? request.replace('/healthz', '/metrics') : request,
      );
      const body = expectProblem(res, 400, 'BAD_REQUEST');
      expect(body.detail).toBe('The Host header is not a valid host[:port].');
      expect(res.closed).toBe(true);
    }
  });

  it.each([
    ['that is empty (a target URI without an authority, RFC 9112 §3.2)', ''],
    ['with an empty port', 'a:'],
    ['of an IPv6 literal and a port', '[::1]:8080'],
    ['with port 65535', 'a:65535'],
    ['with a valid percent-escape', 'a%41'],
  ])('a Host %s is served on every port', async (_name, host) => {
    const request = `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
    for (const p of [port, probePort()]) expect((await rawRequest(p, request)).status).toBe(200);
  });

  it('HTTP/1.0 without Host is still served (Host is required from 1.1 on)', async () => {
    const res = await rawRequest(port, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(res.status).toBe(200);
  });

  // Framing faults llhttp rejects before a request exists: answered by the clientErrorHandler,
  // connection closed (RFC 9112 §6.3: the stream can no longer be trusted).
  it.each([
    [
      'Content-Length and Transfer-Encoding together (§6.3, smuggling)',
      'POST /api/counters/a/increment HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'an invalid Content-Length (§6.3)',
      'POST /api/counters/a/increment HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n',
    ],
    [
      'two different Content-Length values (§6.3)',
      'POST /api/counters/a/increment HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    ],
    ['whitespace between field name and colon (§5.1)', get('Host: a\r\nX-Foo : 1\r\n')],
    ['obs-fold (§5.2)', get('Host: a\r\nX-Foo: 1\r\n  folded\r\n')],
    ['a bare LF line ending in the request line', 'GET /healthz HTTP/1.1\nHost: a\r\n\r\n'],
    [
      'a transfer coding other than chunked last (§6.3)',
      'POST /api/counters/a/increment HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n',
    ],
    [
      'a transfer coding Node does not decode before chunked (§6.1)',
      'POST /api/counters/a/increment HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'Transfer-Encoding in HTTP/1.0 (§6.1)',
      'POST /api/counters/a/increment HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'an invalid chunk size',
      'POST /api/counters/a/increment HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    ],
    ['an invalid method token', 'G(T /healthz HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a space inside the request target', 'GET /health z HTTP/1.1\r\nHost: a\r\n\r\n'],
    [
      'a control character inside the request target',
      'GET /he\x01althz HTTP/1.1\r\nHost: a\r\n\r\n',
    ],
    ['a header value with a NUL', get('Host: a\r\nX-Foo: a\x00b\r\n')],
    ['a header name with a non-token character (§5.1)', get('Host: a\r\nX(a): 1\r\n')],
    ['an empty header name', get('Host: a\r\n: 1\r\n')],
    ['a bare CR inside a header value (§2.2)', get('Host: a\r\nX-Foo: a\rb\r\n')],
    ['not HTTP at all', 'hello\r\n\r\n'],
  ])('%s → 400 BAD_REQUEST and the connection closed', async (_name, request) => {
    // Body framing is checked on the public port; the admin port may answer a body-carrying
    // request (404, 415) before its body is read, so it gets the header-level faults.
    const targets = request.startsWith('POST') ? [port] : [port, adminPort];
    for (const p of targets) {
      const res = await rawRequest(
        p,
        p === port ? request : request.replace('/healthz', '/metrics'),
      );
      const body = expectProblem(res, 400, 'BAD_REQUEST');
      expect(body.requestId).toMatch(UUID);
      expect(res.headers.connection).toBe('close');
      expect(res.closed).toBe(true);
    }
  });

  it('a header flood → 431 REQUEST_HEADER_FIELDS_TOO_LARGE on both ports', async () => {
    const flood = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(100)}\r\n`).join('');
    for (const p of [port, adminPort]) {
      const res = await rawRequest(p, get(`Host: a\r\n${flood}`));
      expectProblem(res, 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
      expect(res.closed).toBe(true);
    }
  });

  it("chunk extensions past Node's limit → 413 PAYLOAD_TOO_LARGE, connection closed", async () => {
    const extensions = ';a=b'.repeat(100_000);
    const res = await rawRequest(
      port,
      'POST /api/counters/a/increment HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
        `Transfer-Encoding: chunked\r\n\r\n2${extensions}\r\n{}\r\n0\r\n\r\n`,
    );
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.closed).toBe(true);
  });

  // Framing that carries no data: llhttp reads a chunk size of any number of leading zeros, and
  // Node bounds one chunk's extensions only. Counted against nothing, it was read until the request
  // deadline (408): 64 MiB went by unanswered. Now 413 once past twice the body limit.
  it.each([
    ['POST /api/items', 'a chunk size of zeros without end', 'public', '0'.repeat(64 * 1024)],
    ['GET /api/items', 'a chunk size of zeros without end', 'public', '0'.repeat(64 * 1024)],
    ['PUT /chaos', 'a chunk size of zeros without end', 'admin', '0'.repeat(64 * 1024)],
    [
      'POST /api/items',
      'one data byte per 16,000 bytes of chunk extensions',
      'public',
      `1;${'a'.repeat(16_000)}\r\n \r\n`,
    ],
  ])(
    '%s with %s → 413 PAYLOAD_TOO_LARGE while the client is still sending (%s port)',
    async (line, _how, which, block) => {
      const res = await pumpUntilAnswered(
        which === 'admin' ? adminPort : port,
        `${line} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n` +
          'Transfer-Encoding: chunked\r\n\r\n',
        block,
        64 * 1024 * 1024,
      );
      expect(res.answeredWhileSending).toBe(true);
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(res.headers.connection).toBe('close');
    },
  );

  it('a chunked body whose framing passes the body limit, its data not, is still read', async () => {
    // 1.2 MB on the wire for 660 KB of data (the limit: 1 MiB).
    const chunks = '6\r\n      \r\n'.repeat(110_000);
    const res = await rawRequest(
      port,
      'POST /api/items HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
        `Transfer-Encoding: chunked\r\n\r\n1\r\n[\r\n${chunks}1\r\n]\r\n0\r\n\r\n`,
    );
    // Read to its end and parsed: an empty array is no item, 400, not 413.
    expect(res.status).toBe(400);
  });

  it('the admin port shapes its body-limit and URL errors as problem+json too', async () => {
    const big = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 0, pad: 'x'.repeat(100 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('application/problem+json');
    expect(((await big.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    const badUrl = await rawRequest(adminPort, 'GET /metrics/%E0%A4%A HTTP/1.1\r\nHost: a\r\n\r\n');
    expectProblem(badUrl, 400, 'MALFORMED_URL');
  });

  it('a header or request timeout → 408 REQUEST_TIMEOUT problem+json, connection closed', async () => {
    // Node raises ERR_HTTP_REQUEST_TIMEOUT on a connection whose headers or body are late and
    // emits 'clientError'; the wait itself is the timeouts' test, the answer's shape is this one.
    const fastify = t.app.getHttpAdapter().getInstance() as FastifyInstance;
    const serverSide = new Promise<Socket>((resolve) =>
      fastify.server.once('connection', (socket: Socket) => resolve(socket)),
    );
    const client = connect(port, '127.0.0.1');
    const received = new Promise<string>((resolve) => {
      let text = '';
      client.on('data', (chunk) => (text += chunk.toString()));
      client.on('close', () => resolve(text));
    });
    client.write('GET /healthz HTTP/1.1\r\nHost: a\r\n');
    const timeout = Object.assign(new Error('Request timeout'), {
      code: 'ERR_HTTP_REQUEST_TIMEOUT',
    });
    // Once the server has read the request's start: a connection that sent nothing has no
    // request to answer (silent-connections.e2e-spec.ts).
    const socket = await serverSide;
    while (socket.bytesRead === 0) await new Promise((r) => setTimeout(r, 5));
    fastify.server.emit('clientError', timeout, socket);
    const text = await received;
    expect(text).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    expect(text).toContain('content-type: application/problem+json');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).code).toBe('REQUEST_TIMEOUT');
  });

  // RFC 9112 §9.3.2: answers go out in the order of their requests. The parser's refusal of a
  // later pipelined request was written at once, ahead of the earlier one's answer, and the
  // socket closed: the client read the 400 as its POST's answer, though the item was created.
  it('a pipelined request the parser refuses is answered after the valid one before it', async () => {
    const name = `pipelined-${Date.now()}`;
    const body = JSON.stringify({ name, tags: [] });
    const bad = 'GET /hello HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n';
    for (const p of [port, probePort()]) {
      const first =
        p === port
          ? `POST /api/items HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\n` +
            `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
          : 'GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n';
      const statuses = await pipelinedStatuses(p, first + bad);
      expect([p, statuses]).toEqual([p, [p === port ? 201 : 200, 400]]);
    }
    const listed = await (await fetch(`${t.baseUrl}/api/items?limit=100`)).text();
    expect(listed).toContain(name);
    // Bytes after `Connection: close`: the answer to the request that said it still goes out.
    const closing = 'GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /hello';
    expect((await pipelinedStatuses(port, closing))[0]).toBe(200);
  });

  it('both listeners keep serving after every request above', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(200);
  });
});

/** Writes `bytes` at once and reads until the server closes: the status of each answer, in order. */
function pipelinedStatuses(port: number, bytes: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s; got ${JSON.stringify(text)}`));
    }, 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    const done = () => {
      clearTimeout(timer);
      // A status line follows the body before it with no line break in between.
      resolve([...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])));
    };
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

/**
 * Writes `head`, then `block` again and again until the server answers or `capBytes` went by,
 * then waits for the answer: whether it came while the client was still sending, and the answer.
 */
function pumpUntilAnswered(
  port: number,
  head: string,
  block: string,
  capBytes: number,
): Promise<RawResponse & { answeredWhileSending: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let answeredWhileSending: boolean | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 50 s; got ${JSON.stringify(text.slice(0, 200))}`));
    }, 50_000);
    const pump = (): void => {
      while (answeredWhileSending === undefined && !socket.destroyed) {
        if (sent >= capBytes) {
          answeredWhileSending = false;
          return;
        }
        sent += block.length;
        if (!socket.write(block)) return;
      }
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answeredWhileSending ??= true;
      text += chunk;
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return;
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [
          l.slice(0, l.indexOf(':')).toLowerCase(),
          l.slice(l.indexOf(':') + 1).trim(),
        ]),
      );
      const body = text.slice(end + 4);
      if (body.length < Number(headers['content-length'])) return;
      clearTimeout(timer);
      socket.destroy();
      const status = Number(statusLine.split(' ')[1]);
      // Destroyed here: whether the server closes is read from its Connection header.
      resolve({ status, headers, body, closed: false, answeredWhileSending });
    });
    socket.on('drain', pump);
    socket.on('error', () => undefined);
    socket.write(head);
    pump();
  });
}
