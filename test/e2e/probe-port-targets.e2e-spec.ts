import { PROBE_PATHS } from '../../src/health/health.paths.js';
import { startChild } from '../support/child-process.js';
import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp } from '../support/test-app.js';

/**
 * The probe port (a thread of its own, health/probe.worker.ts) reads a request target as the
 * public port does: both ask protocol/request-target.ts's targetProblem, and both route on the
 * path decoded by the router's rule. Each shape below is sent with a probe path to the probe port
 * and to the public port, and with /version, a route only the public port has, to the public
 * port; the three answers must have the same status and code, and the two probe answers the
 * same `instance` and `Location` too.
 * `{p}` stands for the path, `{%p}` for it with its first letter percent-escaped (`/%68ealthz`),
 * `{%%p}` for it with every letter escaped. Bytes are sent as written (latin1), so `\xc3\xa9` is
 * a UTF-8 `é` on the wire.
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

/**
 * Percent-encodings, malformed and odd, sent with each probe path: the probe thread decoded the
 * path with a decodeURIComponent of its own, the router decodes it with decodeURI, and the probe
 * port named the decoded path in its answer (`/healthz%00` came back with a NUL in `instance`).
 */
const ESCAPES: Array<[string, string]> = [
  ['an escaped letter', '{%p}'],
  ['every letter escaped', '{%%p}'],
  ['an escaped letter in the absolute-form', 'http://a{%p}'],
  ['an escaped letter and a slash added', '{%p}/'],
  ['an escaped letter and a slash added, absolute-form', 'http://a{%p}/?q'],
  // Malformed: 400 MALFORMED_URL on both.
  ['a lone %', '{p}%'],
  ['a lone % before the path', '/%{p}'],
  ['a lone % after an escaped letter', '{%p}%'],
  ['half an escape', '{p}%2'],
  ['an escape that is no hex', '{p}%zz'],
  ['a bad escape before an escaped letter', '/%zz{%p}'],
  ['an absolute-form bad escape', 'http://a{p}%zz'],
  ['an escape that is no UTF-8', '{p}%C3'],
  ['an overlong slash (%C0%AF)', '{p}%C0%AF'],
  ['an overlong slash before the path', '/%C0%AF{p}'],
  ['an overlong dot (%C0%AE)', '{p}%C0%AE'],
  ['a surrogate escaped as UTF-8', '{p}%ED%A0%80'],
  ['a bad escape in the query', '{p}?%zz'],
  // NUL.
  ['an escaped NUL', '{p}%00'],
  ['an escaped NUL before the path', '/%00{p}'],
  ['an escaped NUL in the query', '{p}?%00'],
  // Reserved characters escaped: the router keeps them as sent.
  ['an escaped slash', '{p}%2F'],
  ['an escaped slash in lower case', '{p}%2f'],
  ['an escaped slash before the path', '/%2F{p}'],
  ['an escaped slash in place of the first', '%2F{p}'],
  ['an escaped slash after a slash added', '{p}/%2F'],
  ['an escaped slash, then a slash added', '{p}%2F/'],
  ['an escaped slash, absolute-form', 'http://a/%2F{p}'],
  ['an escaped question mark', '{p}%3F'],
  ['an escaped question mark and a query', '{p}%3Fq=1'],
  ['an escaped hash', '{p}%23'],
  ['an escaped percent', '{p}%25'],
  ['an escaped semicolon', '{p}%3B'],
  ['a semicolon', '{p};x'],
  // Dots: no dot segment is resolved on either port.
  ['an escaped dot', '{p}%2e'],
  ['an escaped dot segment', '{p}/%2e'],
  ['an escaped dot-dot segment', '{p}/%2e%2e'],
  ['an escaped dot-dot before the path', '/x/%2e%2e{p}'],
  ['an escaped dot-dot, absolute-form', 'http://a/x/%2e%2e{p}'],
  ['a dot-dot before the path', '/x/..{p}'],
];

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT', 'POST', 'PATCH'];

type Port = 'public' | 'probe';
type Ports = Record<Port, number>;

const escaped = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
const targetOf = (shape: string, path: string) =>
  shape
    .replace('{p}', path)
    .replace('{%p}', `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`)
    .replace('{%%p}', `/${[...path.slice(1)].map(escaped).join('')}`);

/** What the ports must agree on: status and problem code, the problem's instance, a Location. */
async function answer(port: number, method: string, target: string) {
  const res = await rawRequest(
    port,
    Buffer.from(
      `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      'latin1',
    ),
    { head: method === 'HEAD' },
  );
  // An answer to HEAD has the problem's headers and no body.
  const problem =
    res.body && res.headers['content-type']?.startsWith('application/problem+json')
      ? (JSON.parse(res.body) as { code: string; instance?: string })
      : undefined;
  return {
    status: res.status,
    code: problem?.code ?? '',
    instance: problem?.instance,
    location: res.headers.location,
  };
}

/**
 * `shape` by `method`: with `path` to the probe port and to the public port, which must answer
 * alike, and with /version to the public port, which must answer with the same status and code.
 */
async function expectSameAnswers(ports: Ports, method: string, shape: string, path: string) {
  const probe = await answer(ports.probe, method, targetOf(shape, path));
  const publicProbe = await answer(ports.public, method, targetOf(shape, path));
  expect({ method, path, probe }).toEqual({ method, path, probe: publicProbe });
  const route = await answer(ports.public, method, targetOf(shape, '/version'));
  expect({ method, publicRoute: [route.status, route.code] }).toEqual({
    method,
    publicRoute: [probe.status, probe.code],
  });
}

const LONG_TARGET = `/${'p'.repeat(9_000)}`;

/** The probe port's 404 for LONG_TARGET by `method`, which names the target whole as its instance. */
async function longTargetNotFound(port: number, method: string) {
  const request = `${method} ${LONG_TARGET} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
  const body = expectProblem(await rawRequest(port, request), 404, 'NOT_FOUND');
  expect(body.instance).toBe(LONG_TARGET);
  return body as { detail: string };
}

/** The 400 MALFORMED_URL `port` answers to GET `target`: its detail; its instance is the target's path whole, less its query. */
async function malformedDetail(port: number, target: string): Promise<string> {
  const request = `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
  const body = expectProblem(await rawRequest(port, request), 400, 'MALFORMED_URL');
  expect(body.instance).toBe(target.replace(/^http:\/\/[^/]*/, '').split('?')[0]);
  return (body as { detail: string }).detail;
}

/** The router's message for a target it cannot decode, naming it in origin-form with its query. */
const said = (named: string) => `'${named}' is not a valid url component`;
/** That message past 200 characters, as every answer repeats the client's text: cut, then `…`. */
const saidCut = (named: string) => `${said(named).slice(0, 200)}…`;

/**
 * Malformed targets whose escape the router cannot decode, and the detail both ports answer: the
 * router's message, cut as the client's own text is (errors/client-text.ts) once it passes 200
 * characters, at a target of 170. It was kept whole below 500 characters.
 */
const MALFORMED_TARGETS: Array<[string, string, string]> = [
  ['a short one', '/healthz%zz', said('/healthz%zz')],
  ['one in absolute-form', 'http://a/healthz%zz', said('/healthz%zz')],
  ['one with a query', '/healthz%zz?q', said('/healthz%zz?q')],
  ['one of 169 characters', `/${'p'.repeat(165)}%zz`, said(`/${'p'.repeat(165)}%zz`)],
  ['one of 170 characters', `/${'p'.repeat(166)}%zz`, saidCut(`/${'p'.repeat(166)}%zz`)],
  [
    'one whose query makes it 170',
    `/${'p'.repeat(100)}%zz?${'q'.repeat(65)}`,
    saidCut(`/${'p'.repeat(100)}%zz?${'q'.repeat(65)}`),
  ],
  ['a 9 KB one', `${LONG_TARGET}%zz`, saidCut(`${LONG_TARGET}%zz`)],
  ['a 9 KB one in absolute-form', `http://a${LONG_TARGET}%zz`, saidCut(`${LONG_TARGET}%zz`)],
];

/** Starts a service before a suite's tests and stops it after them; returns its ports. */
function serving(start: () => Promise<{ ports: Ports; stop(): Promise<unknown> }>): () => Ports {
  let service: { ports: Ports; stop(): Promise<unknown> } | undefined;
  beforeAll(async () => {
    service = await start();
  });
  afterAll(() => service?.stop());
  return () => {
    if (!service) throw new Error('the service did not start');
    return service.ports;
  };
}

// A long shape is named by its start.
const shown = (shape: string) =>
  JSON.stringify(shape.length > 40 ? `${shape.slice(0, 24)}…` : shape);

describe('the probe port reads a request target as the public port does', () => {
  let adminUrl = '';
  const ports = serving(async () => {
    const t = await startTestApp();
    adminUrl = t.adminUrl;
    return { ports: t.ports, stop: () => t.close() };
  });

  it.each(SHAPES.map(([name, shape]) => [name, shown(shape), shape]))(
    '%s, %s: the same answer on both ports',
    async (_name, _shown, shape) => {
      for (const method of METHODS) await expectSameAnswers(ports(), method, shape, '/healthz');
    },
  );

  it.each(
    [...PROBE_PATHS].flatMap((path) =>
      ESCAPES.map(([name, shape]) => [name, shown(targetOf(shape, path)), shape, path]),
    ),
  )('%s, %s: the same answer on both ports', async (_name, _shown, shape, path) => {
    for (const method of METHODS) await expectSameAnswers(ports(), method, shape, path);
  });

  // The main thread's problem for /readyz is written once for the probe path and served to every
  // probe waiting, and from the cache: each answer names its own target, as the public port's do.
  it('a failing /readyz reached through an escape names the target as sent on both ports', async () => {
    const toggle = (state: string) => fetch(`${adminUrl}/readyz/${state}`, { method: 'POST' });
    expect((await toggle('disable')).status).toBe(200);
    try {
      for (const target of ['/%72eadyz', '/readyz', '/%72eadyz?x']) {
        const probe = await answer(ports().probe, 'GET', target);
        expect(probe).toMatchObject({ status: 503, instance: target.split('?')[0] });
        expect({ target, probe }).toEqual({
          target,
          probe: await answer(ports().public, 'GET', target),
        });
      }
    } finally {
      expect((await toggle('enable')).status).toBe(200);
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
      const { status, code } = await answer(ports()[which], 'GET', target);
      const asOrigin = await answer(ports()[which], 'GET', origin);
      expect({ which, status, code }).toEqual({
        which,
        status: asOrigin.status,
        code: asOrigin.code,
      });
      expect(status).not.toBe(400);
    }
  });

  // A 404 names a long target whole in `instance` and cut in `detail`, as the public port's
  // (hostile-input.e2e-spec.ts): the probe port named a 9 KB target whole in both. Worded as
  // the public port's too: it said "No probe route" and no method.
  it.each(['GET', 'DELETE'])(
    '%s of a 9 KB unknown target: 404 detail cut at 200 characters, the public port’s words',
    async (method) => {
      const body = await longTargetNotFound(ports().probe, method);
      expect(body.detail).toBe(`No route ${method} ${LONG_TARGET.slice(0, 200)}…`);
      expect(body.detail).toBe((await longTargetNotFound(ports().public, method)).detail);
    },
  );

  // The probe port named a 9 KB malformed target whole in its detail, where the public port said
  // "Bad Request".
  it.each(MALFORMED_TARGETS)(
    'a malformed target, %s: the probe port’s 400 detail is the public port’s',
    async (_name, target, detail) => {
      const probe = await malformedDetail(ports().probe, target);
      expect(probe).toBe(await malformedDetail(ports().public, target));
      expect(probe).toBe(detail);
    },
  );

  // The checks' order is the same too: the HTTP version, then Host, then the target.
  it.each([
    ['HTTP/2.0', 'GET http://a:99999/healthz HTTP/2.0\r\nHost: a\r\n\r\n', 505],
    ['no Host', 'GET http://a:99999/healthz HTTP/1.1\r\n\r\n', 400],
    ['a malformed Host', 'GET /healthz#x HTTP/1.1\r\nHost: a b\r\n\r\n', 400],
  ])('a bad target with %s: the same answer on both ports', async (_name, request, status) => {
    for (const which of ['public', 'probe'] as const) {
      const res = await rawRequest(ports()[which], request);
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
  const ports = serving(async () => {
    const child = await startChild({});
    return {
      ports: { public: child.ports.port!, probe: child.ports.probePort! },
      stop: async () => {
        child.process.kill('SIGKILL');
        await child.exited;
      },
    };
  });

  // The bundle's thread imports the cut from the entry scripts/bundle.mjs makes of it.
  it('GET of a 9 KB unknown target: 404 detail cut at 200 characters', async () => {
    const body = await longTargetNotFound(ports().probe, 'GET');
    expect(body.detail).toBe(`No route GET ${LONG_TARGET.slice(0, 200)}…`);
  });

  // The bundle's thread imports the public port's rule for the router's message from that entry too.
  it('GET of a 9 KB malformed target: the public port’s 400 detail', async () => {
    const target = `${LONG_TARGET}%zz`;
    const probe = await malformedDetail(ports().probe, target);
    expect([probe, await malformedDetail(ports().public, target)]).toEqual([
      saidCut(target),
      saidCut(target),
    ]);
  });

  it.each([
    ['http://a:99999/healthz', 400, 'MALFORMED_URL'],
    ['http://u@a/healthz', 400, 'BAD_REQUEST'],
    ['/healthz%C0%AF', 400, 'MALFORMED_URL'],
    ['/healthz%00', 404, 'NOT_FOUND'],
    ['/healthz%2F', 404, 'NOT_FOUND'],
    ['http://a/healthz', 200, ''],
    ['/%68ealthz', 200, ''],
  ])('GET %s → %d %s, as the public port answers it', async (target, status, code) => {
    expect(await answer(ports().probe, 'GET', target)).toMatchObject({ status, code });
    await expectSameAnswers(ports(), 'GET', target, '/healthz');
  });
});
