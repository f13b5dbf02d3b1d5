import { connect } from 'node:net';
import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The error shape holds on all three listeners: an `Expect` Node cannot honour and, on the probe
 * port (a thread of its own, health/probe.worker.ts), bytes Node cannot parse and methods the
 * probes do not take get problem+json with a request id, not Node's empty answers.
 */
describe('problem+json on every port: Expect, framing and methods', () => {
  let t: TestApp;
  let ports: { public: number; admin: number; probe: number };

  beforeAll(async () => {
    t = await startTestApp();
    ports = t.ports;
  });
  afterAll(() => t.close());

  it.each(['public', 'admin', 'probe'] as const)(
    'Expect other than 100-continue on the %s port → 417 EXPECTATION_FAILED, closed',
    async (which) => {
      const path = which === 'admin' ? '/metrics' : '/healthz';
      const res = await rawRequest(
        ports[which],
        `GET ${path} HTTP/1.1\r\nHost: a\r\nExpect: x\r\n\r\n`,
      );
      const body = expectProblem(res, 417, 'EXPECTATION_FAILED');
      expect(body.instance).toBe(path);
      expect(res.headers.connection).toBe('close');
    },
  );

  // RFC 9110 §10.1.1: a server may answer the final status instead of 100. Node sent 100 at once,
  // so the client uploaded a body its declared length had already ruled out.
  it.each(['public', 'admin'] as const)(
    'Expect: 100-continue on the %s port: 413 before the body when its length is over the limit, else 100',
    async (which) => {
      const path = which === 'admin' ? '/chaos' : '/api/items';
      const head = (length: number) =>
        `${which === 'admin' ? 'PUT' : 'POST'} ${path} HTTP/1.1\r\nHost: a\r\n` +
        `content-type: application/json\r\ncontent-length: ${length}\r\nExpect: 100-continue\r\n\r\n`;
      // No body is ever sent: the answer comes on the headers alone.
      const refused = await rawRequest(ports[which], head(200 * 1024 * 1024));
      const body = expectProblem(refused, 413, 'PAYLOAD_TOO_LARGE');
      expect(body.instance).toBe(path);
      expect(refused.headers.connection).toBe('close');
      const allowed = await rawRequest(ports[which], head(2), { lingerMs: 100 });
      expect(allowed.status).toBe(100);
    },
  );

  // The 100 waits for the body's first read: a request refused before it (a media type not
  // taken, an unknown route) gets its final status with no upload, and the
  // connection closes, since the client may send the body all the same.
  it.each([
    ['public', 'POST /api/items', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['public', 'POST /no-such-route', 'application/json', 404, 'NOT_FOUND'],
    ['admin', 'PUT /chaos', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ] as const)(
    'Expect: 100-continue on the %s port, %s (%s) refused unread: %d, no 100, closed',
    async (which, line, type, status, code) => {
      const res = await rawRequest(
        ports[which],
        `${line} HTTP/1.1\r\nHost: a\r\ncontent-type: ${type}\r\ncontent-length: 2\r\n` +
          'Expect: 100-continue\r\n\r\n',
      );
      expectProblem(res, status, code);
      expect(res.headers.connection).toBe('close');
    },
  );

  // A chunked body without content is no body (protocol/request-content.ts), but learning so
  // means reading it: behind Expect: 100-continue the client announced content, and is refused
  // without being asked for it.
  it.each([
    ['no Content-Type', ''],
    ['text/plain', 'content-type: text/plain\r\n'],
  ])('Expect: 100-continue, a chunked body, %s → 415 unread: no 100, closed', async (_, type) => {
    const res = await rawRequest(
      ports.public,
      `POST /api/items HTTP/1.1\r\nHost: a\r\n${type}transfer-encoding: chunked\r\n` +
        'Expect: 100-continue\r\n\r\n',
    );
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(res.headers.connection).toBe('close');
  });

  it('Expect: 100-continue: the 100 comes when the body is read, the 201 after it, kept alive', async () => {
    const socket = connect(ports.public, '127.0.0.1');
    let received = '';
    const until = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (pattern.test(received) ? resolve() : undefined);
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          check();
        });
        socket.once('error', reject);
        check();
      });
    const body = JSON.stringify({ name: 'continued' });
    socket.write(
      `POST /api/items HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await until(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    socket.write(body);
    await until(/HTTP\/1\.1 201 [^]*"continued"/);
    socket.destroy();
    expect(received).not.toMatch(/connection: close/i);
  });

  // The probe port compared the target as sent: these were 404 there, 200 on the public port.
  it.each([
    ['the absolute-form', 'http://a/healthz', 200],
    ['the absolute-form with a query', 'http://a:80/readyz?verbose', 200],
    ['a percent-escaped path', '/%68ealthz', 200],
    ['a malformed escape', '/%zzhealthz', 400],
  ])('%s (%s): the probe port answers as the public port does', async (_name, target, status) => {
    for (const which of ['public', 'probe'] as const) {
      const res = await rawRequest(ports[which], `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
      expect({ which, status: res.status }).toEqual({ which, status });
      if (status === 400) expectProblem(res, 400, 'MALFORMED_URL');
    }
  });

  it.each([
    [
      'Content-Length and Transfer-Encoding together',
      'POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    [
      'a control character in the request line',
      'GET /hea\x01lthz HTTP/1.1\r\nHost: a\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    [
      'a header flood',
      `GET /healthz HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(100)}\r\n`).join('')}\r\n`,
      431,
      'REQUEST_HEADER_FIELDS_TOO_LARGE',
    ],
    // The public port's Host and Transfer-Encoding rules (protocol.checks.ts): Node's own answer to
    // a missing Host was an empty 400, and the other two were 200.
    ['no Host on HTTP/1.1', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'BAD_REQUEST'],
    ['two Host lines', 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a malformed Host', 'GET /healthz HTTP/1.1\r\nHost: a b/c\r\n\r\n', 400, 'BAD_REQUEST'],
    [
      'Transfer-Encoding other than chunked',
      'GET /healthz HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    // Node closed the socket unanswered.
    [
      'CONNECT',
      'CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      405,
      'METHOD_NOT_ALLOWED',
    ],
  ])('probe port: %s → problem+json, closed', async (_name, request, status, code) => {
    const res = await rawRequest(ports.probe, request);
    const body = expectProblem(res, status, code);
    expect(body.requestId).toMatch(UUID);
    expect(res.closed).toBe(true);
  });

  it.each(['POST', 'DELETE', 'PUT'])('probe port: %s /healthz → 405 with Allow', async (method) => {
    const res = await fetch(`${t.probeUrl}/healthz`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      requestId: res.headers.get('x-request-id'),
    });
  });

  it.each(['public', 'admin', 'probe'] as const)(
    'a request asking to Upgrade on the %s port is answered, then its connection closes',
    async (which) => {
      // Node parses nothing after it: a request pipelined behind it would go unanswered.
      const path = which === 'admin' ? '/metrics' : '/healthz';
      const res = await rawRequest(
        ports[which],
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n` +
          `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
        { lingerMs: 2_000 },
      );
      expect(res.status).toBe(200);
      expect(res.headers.connection).toBe('close');
      expect(res.closed).toBe(true);
    },
  );

  it('probe port: every answer carries x-request-id, the caller’s when it is valid', async () => {
    for (const path of ['/healthz', '/readyz', '/startupz', '/nope']) {
      const made = await fetch(`${t.probeUrl}${path}`);
      expect(made.headers.get('x-request-id')).toMatch(UUID);
      const kept = await fetch(`${t.probeUrl}${path}`, { headers: { 'x-request-id': 'probe-1' } });
      expect(kept.headers.get('x-request-id')).toBe('probe-1');
      const invalid = await fetch(`${t.probeUrl}${path}`, {
        headers: { 'x-request-id': 'no spaces allowed' },
      });
      expect(invalid.headers.get('x-request-id')).toMatch(UUID);
    }
    const head = await fetch(`${t.probeUrl}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});
