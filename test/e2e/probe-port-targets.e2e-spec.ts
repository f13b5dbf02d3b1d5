import { startChild, type Child } from '../support/child-process.js';
import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The probe port (a thread of its own, health/probe.worker.ts) reads a request target as the
 * public port does: both ask protocol/request-target.ts's targetProblem. Each shape below is sent
 * with a probe path to the probe port and to the public port, and with /version, a route only the
 * public port has, to the public port; the three answers must have the same status and code.
 * `{p}` stands for the path, `{%p}` for it with its first letter percent-escaped (`/%68ealthz`).
 * Bytes are sent as written (latin1), so `\xc3\xa9` is a UTF-8 `é` on the wire.
 */
const SHAPES: Array<[string, string]> = [
  // Absolute-form with a port that is no port: the public port said 400, the probe port 200.
  ['port out of range', 'http://a:99999{p}'],
  ['port 65536', 'http://a:65536{p}'],
  ['port 65535', 'http://a:65535{p}'],
  ['port 0', 'http://a:0{p}'],
  ['an empty port', 'http://a:{p}'],
  ['a port with a leading zero', 'http://a:080{p}'],
  ['a port that is a word', 'http://a:x{p}'],
  ['a negative port', 'http://a:-1{p}'],
  ['a port with a sign', 'http://a:+80{p}'],
  ['two ports', 'http://a:1:2{p}'],
  ['a bad port, then an empty path and a query', 'http://a:99999?q'],
  ['a bad port and nothing after it', 'http://a:99999'],
  ['a bad port on a path with a slash added', 'http://a:99999{p}/'],
  ['a bad port and a bad escape', 'http://a:99999/%zz'],
  // No host.
  ['an empty authority', 'http://{p}'],
  ['a port without a host', 'http://:80{p}'],
  ['no host, a query', 'http://?q'],
  ['a scheme and nothing else', 'http://'],
  ['one slash after the scheme', 'http:{p}'],
  ['no slash after the scheme', 'http:healthz'],
  // Userinfo.
  ['userinfo', 'http://u@a{p}'],
  ['userinfo with a password', 'http://u:p@a{p}'],
  ['empty userinfo', 'http://@a{p}'],
  ['userinfo and a bad port', 'http://u@a:99999{p}'],
  // IPv6 literals, good and bad.
  ['an IPv6 literal', 'http://[::1]{p}'],
  ['an IPv6 literal and a port', 'http://[::1]:8080{p}'],
  ['an IPv6 literal and an empty port', 'http://[::1]:{p}'],
  ['an IPv4-mapped IPv6 literal', 'http://[::ffff:1.2.3.4]{p}'],
  ['an unclosed IPv6 literal', 'http://[::1{p}'],
  ['an unclosed IPv6 literal before a query', 'http://[::1?q'],
  ['an IPv6 address without brackets', 'http://::1{p}'],
  ['an IPv6 literal that is no address', 'http://[zz]{p}'],
  ['an empty IPv6 literal', 'http://[]{p}'],
  ['text after an IPv6 literal', 'http://[::1]x{p}'],
  ['an IPv6 literal and a port out of range', 'http://[::1]:99999{p}'],
  ['an IPvFuture literal', 'http://[v1.x]{p}'],
  ['an IPv6 zone', 'http://[fe80::1%25eth0]{p}'],
  ['a stray bracket', 'http://a]{p}'],
  // Other hosts.
  ['a host ending in a dot', 'http://a.:80{p}'],
  ['a percent-escaped host', 'http://%61{p}'],
  ['an escaped space in the host', 'http://a%20b{p}'],
  ['a space in the host', 'http://a b{p}'],
  ['five IPv4 parts', 'http://1.2.3.4.5{p}'],
  ['a hex IPv4 part', 'http://0x7f.1{p}'],
  ['a UTF-8 host', 'http://\xc3\xa9{p}'],
  // Schemes.
  ['HTTP in capitals', 'HTTP://a{p}'],
  ['https with its port', 'https://a:443{p}'],
  ['ftp', 'ftp://a{p}'],
  ['a scheme starting with a digit', '1http://a{p}'],
  // The asterisk and authority forms.
  ['the asterisk', '*'],
  ['the asterisk before a path', '*{p}'],
  ['two asterisks', '**'],
  ['the authority-form', 'a:80'],
  ['the authority-form of localhost', 'localhost:8080'],
  ['the authority-form before a path', 'a:80{p}'],
  // Origin-form.
  ['the path', '{p}'],
  ['a path starting //', '/{p}'],
  ['a path starting ///', '//{p}'],
  ['an empty query', '{p}?'],
  ['a query', '{p}?q'],
  ['a slash added', '{p}/'],
  ['a dot segment', '{p}/..'],
  ['a fragment', '{p}#x'],
  ['an empty query and an empty fragment', '{p}?#'],
  ['a query and a fragment', '{p}?q#x'],
  ['a bad escape before a fragment', '/%zz#x'],
  ['an absolute-form fragment', 'http://a{p}#x'],
  ['an absolute-form query and fragment', 'http://a{p}?q#x'],
  ['a fragment in the authority', 'http://a#x{p}'],
  // Percent-encodings.
  ['an escaped letter', '{%p}'],
  ['an escaped letter in the absolute-form', 'http://a{%p}'],
  ['a lone %', '{p}%'],
  ['half an escape', '{p}%2'],
  ['an escape that is no hex', '{p}%zz'],
  ['an absolute-form bad escape', 'http://a{p}%zz'],
  ['an escaped slash', '{p}%2F'],
  ['an escaped NUL', '{p}%00'],
  ['an escape that is no UTF-8', '{p}%C3'],
  ['a bad escape in the query', '{p}?%zz'],
  // Very long targets (Node refuses a request line and headers over 16 KiB).
  ['a long query', `{p}?${'q'.repeat(9_000)}`],
  ['a long host', `http://${'a'.repeat(9_000)}{p}`],
  ['a long path', `{p}/${'a'.repeat(9_000)}`],
  ['a target past the header limit', `{p}?${'q'.repeat(17_000)}`],
  // Bytes outside ASCII.
  ['a UTF-8 letter in the path', '{p}\xc3\xa9'],
  ['a byte over 0x7f in the path', '{p}\x80'],
  ['a UTF-8 letter in the query', '{p}?\xc3\xa9'],
];

type Port = 'public' | 'probe';

const targetOf = (shape: string, path: string) =>
  shape
    .replace('{p}', path)
    .replace('{%p}', `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`);

/** Status and problem code: what the ports must agree on (the detail may name the port's path). */
async function answer(port: number, method: string, target: string) {
  const res = await rawRequest(
    port,
    Buffer.from(
      `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      'latin1',
    ),
  );
  const problem = res.headers['content-type']?.startsWith('application/problem+json');
  return {
    status: res.status,
    code: problem ? (JSON.parse(res.body) as { code: string }).code : '',
  };
}

describe('the probe port reads a request target as the public port does', () => {
  let t: TestApp;
  let ports: Record<Port, number>;

  beforeAll(async () => {
    t = await startTestApp();
    ports = t.ports;
  });
  afterAll(() => t.close());

  // A long shape is named by its start.
  const named = SHAPES.map(([name, shape]) => [
    name,
    JSON.stringify(shape.length > 40 ? `${shape.slice(0, 24)}…` : shape),
    shape,
  ]);

  it.each(named)('%s, %s: the same answer on both ports', async (_name, _shown, shape) => {
    for (const method of ['GET', 'OPTIONS', 'DELETE']) {
      const probe = await answer(ports.probe, method, targetOf(shape, '/healthz'));
      const publicProbe = await answer(ports.public, method, targetOf(shape, '/healthz'));
      const publicRoute = await answer(ports.public, method, targetOf(shape, '/version'));
      expect({ method, probe, publicProbe }).toEqual({ method, probe, publicProbe: probe });
      expect({ method, publicRoute }).toEqual({ method, publicRoute: probe });
    }
  });

  // RFC 9110 §4.2.3 reads an empty path as `/`: a valid target of this shape asks for `/`, the
  // public port's home page, which the probe port does not have. Each port answers it as it
  // answers `/` with the same query, and neither refuses it.
  it.each([
    ['http://a?q', '/?q'],
    ['http://a', '/'],
    ['http://a?/healthz', '/?/healthz'],
    ['HTTPS://a:443?x=1', '/?x=1'],
    ['http://[::1]?q', '/?q'],
  ])('%s is %s on both ports', async (target, origin) => {
    for (const which of ['public', 'probe'] as const) {
      const absolute = await answer(ports[which], 'GET', target);
      expect({ which, absolute }).toEqual({
        which,
        absolute: await answer(ports[which], 'GET', origin),
      });
      expect(absolute.status).not.toBe(400);
    }
  });

  // The checks' order is the same too: the HTTP version, then Host, then the target.
  it.each([
    ['HTTP/2.0', 'GET http://a:99999/healthz HTTP/2.0\r\nHost: a\r\n\r\n', 505],
    ['no Host', 'GET http://a:99999/healthz HTTP/1.1\r\n\r\n', 400],
    ['a malformed Host', 'GET /healthz#x HTTP/1.1\r\nHost: a b\r\n\r\n', 400],
  ])('a bad target with %s: the same answer on both ports', async (_name, request, status) => {
    for (const which of ['public', 'probe'] as const) {
      const res = await rawRequest(ports[which], request);
      const code = status === 505 ? 'HTTP_VERSION_NOT_SUPPORTED' : 'BAD_REQUEST';
      expect({ which, status: res.status }).toEqual({ which, status });
      const body = expectProblem(res, status, code);
      if (status === 400) expect(body.detail).toContain('Host');
      expect(res.closed).toBe(true);
    }
  });
});

/**
 * The bundle (`npm start`, the image) runs the probe thread from the same source, and it loads
 * protocol/request-target.ts on its own: from the entry scripts/bundle.mjs makes of it there.
 */
describe('probe port in the built bundle: a target is read by the public port’s rules', () => {
  let child: Child;

  beforeAll(async () => {
    child = await startChild({});
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
  });

  it.each([
    ['http://a:99999/healthz', 400, 'MALFORMED_URL'],
    ['http://u@a/healthz', 400, 'BAD_REQUEST'],
    ['http://a/healthz', 200, ''],
  ])('GET %s → %d %s', async (target, status, code) => {
    expect(await answer(child.ports.probePort!, 'GET', target)).toEqual({ status, code });
  });
});
