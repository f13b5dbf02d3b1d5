import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Port = 'public' | 'admin' | 'probe';
const PORTS: readonly Port[] = ['public', 'admin', 'probe'];

/**
 * RFC 9110 §15.6.6: a server refuses a protocol version it does not serve with 505. Only
 * HTTP/1.0 and HTTP/1.1 are served here, whichever layer meets the version: llhttp refuses most
 * (`HTTP/1.2`), but lets `HTTP/2.0` and a request line without a version (HTTP/0.9) through,
 * and those were answered 200 (a POST stored its item) where `HTTP/1.2` got 400.
 */
describe('a request in an HTTP version other than 1.0 or 1.1 → 505 on every port', () => {
  let t: TestApp;
  let ports: Record<Port, number>;

  beforeAll(async () => {
    t = await startTestApp();
    ports = t.ports;
  });
  afterAll(() => t.close());

  const pathOn = (which: Port) => (which === 'admin' ? '/metrics' : '/healthz');

  it.each([
    ['HTTP/2.0 in HTTP/1 framing (llhttp passes it)', 'HTTP/2.0', /HTTP\/2\.0/],
    ['HTTP/0.9 spelled out (llhttp passes it)', 'HTTP/0.9', /HTTP\/0\.9/],
    ['HTTP/1.2 (llhttp refuses it)', 'HTTP/1.2', /HTTP\/1\.1/],
    ['HTTP/3.0 (llhttp refuses it)', 'HTTP/3.0', /HTTP\/1\.1/],
  ])('%s → 505 HTTP_VERSION_NOT_SUPPORTED, closed', async (_name, version, detail) => {
    for (const which of PORTS) {
      const res = await rawRequest(
        ports[which],
        `GET ${pathOn(which)} ${version}\r\nHost: a\r\n\r\n`,
      );
      const body = expectProblem(res, 505, 'HTTP_VERSION_NOT_SUPPORTED');
      expect({ which, detail: body.detail }).toEqual({
        which,
        detail: expect.stringMatching(detail),
      });
      expect({ which, closed: res.closed }).toEqual({ which, closed: true });
    }
  });

  it('a request line without a version (HTTP/0.9) → 505 in HTTP/1.1, naming what to send', async () => {
    for (const which of PORTS) {
      const res = await rawRequest(ports[which], `GET ${pathOn(which)}\r\n\r\n`);
      const body = expectProblem(res, 505, 'HTTP_VERSION_NOT_SUPPORTED');
      expect({ which, detail: body.detail }).toEqual({
        which,
        detail: expect.stringMatching(/without a version[^]*HTTP\/1\.1/),
      });
      expect({ which, closed: res.closed }).toEqual({ which, closed: true });
    }
  });

  it('the HTTP/2 prior-knowledge preface (PRI * HTTP/2.0) → 505, not a 400 "could not be parsed"', async () => {
    for (const which of PORTS) {
      const res = await rawRequest(ports[which], 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
      expectProblem(res, 505, 'HTTP_VERSION_NOT_SUPPORTED');
    }
  });

  it('a POST in HTTP/2.0 is refused before its body: nothing is stored', async () => {
    const name = `http2-${Date.now()}`;
    const body = JSON.stringify({ name });
    const res = await rawRequest(
      ports.public,
      `POST /api/items HTTP/2.0\r\nHost: a\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
    );
    expectProblem(res, 505, 'HTTP_VERSION_NOT_SUPPORTED');
    expect(res.headers.connection).toBe('close');
    const listed = await (await fetch(`${t.baseUrl}/api/items?limit=100`)).text();
    expect(listed).not.toContain(name);
  });

  // llhttp gives these the code it gives an unknown version (HPE_INVALID_VERSION): they are
  // framing faults, not versions.
  it.each([
    ['HTTP/1.1 ended by a bare LF', 'HTTP/1.1\nHost: a\r\n\r\n'],
    ['HTTP/2 without its minor digit', 'HTTP/2\r\nHost: a\r\n\r\n'],
    ['a letter for the minor digit', 'HTTP/1.x\r\nHost: a\r\n\r\n'],
  ])('a malformed version (%s) is still 400 BAD_REQUEST', async (_name, rest) => {
    for (const which of PORTS) {
      const res = await rawRequest(ports[which], `GET ${pathOn(which)} ${rest}`);
      expect({ which, status: res.status }).toEqual({ which, status: 400 });
      expectProblem(res, 400, 'BAD_REQUEST');
    }
  });

  it('HTTP/1.0 and HTTP/1.1 are still served on every port', async () => {
    for (const which of PORTS) {
      for (const version of ['HTTP/1.0', 'HTTP/1.1']) {
        const res = await rawRequest(
          ports[which],
          `GET ${pathOn(which)} ${version}\r\nHost: a\r\n\r\n`,
        );
        expect({ which, version, status: res.status }).toEqual({ which, version, status: 200 });
      }
    }
  });
});
