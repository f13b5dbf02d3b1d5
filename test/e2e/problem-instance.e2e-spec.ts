import { get } from 'node:http';
import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { pinnedAdmission, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

type Port = 'public' | 'admin' | 'probe';

const SECRET = 's3cret';

/**
 * A problem's `instance` is the request target's path alone, as the server span's `url.path` is
 * (telemetry/server-span.hooks.ts): an absolute-form target (RFC 9112 §3.2.2) gave its scheme,
 * host and userinfo, a password a client put in the URL included, back in every 4xx and 5xx
 * body, on each of the three listeners and in the raw answers written before Fastify (an unmet
 * `Expect`, admission's 503). The query was never named, and is not now.
 */
describe("a problem's instance on every port", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const send = (which: Port, target: string, method = 'GET', headers = '') =>
    rawRequest(
      t.ports[which],
      `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`,
    );
  const pathOn = (which: Port) => (which === 'admin' ? '/metrics' : '/healthz');

  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: userinfo refused (400) → instance is the path, no scheme, host, userinfo or query',
    async (which) => {
      const path = pathOn(which);
      const res = await send(which, `http://user:${SECRET}@example.test${path}?token=q`);
      const body = expectProblem(res, 400, 'BAD_REQUEST');
      expect(body.instance).toBe(path);
      expect(res.body).not.toContain(SECRET);
    },
  );

  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: an unmet Expect (417, answered before the router) → instance is the path',
    async (which) => {
      const path = pathOn(which);
      const res = await send(which, `http://user:${SECRET}@x${path}`, 'GET', 'Expect: foo\r\n');
      expect(expectProblem(res, 417, 'EXPECTATION_FAILED').instance).toBe(path);
      expect(res.body).not.toContain(SECRET);
    },
  );

  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: a 404, a 405 and an empty path → the path, `/` for an empty one',
    async (which) => {
      const cases: Array<[string, string, number, string]> = [
        ['GET', 'http://x/no-such-route?q=1', 404, '/no-such-route'],
        ['DELETE', `https://x:8443${pathOn(which)}`, 405, pathOn(which)],
        ['DELETE', 'http://x?x=1', which === 'probe' ? 404 : 405, '/'],
      ];
      for (const [method, target, status, instance] of cases) {
        const res = await send(which, target, method);
        const body = JSON.parse(res.body) as { instance?: string };
        expect({ target, status: res.status, instance: body.instance }).toEqual({
          target,
          status,
          instance,
        });
      }
    },
  );

  // What an origin-form target's instance was, and stays: the path as sent, escapes and all.
  it.each(['public', 'admin', 'probe'] as const)(
    '%s port: an origin-form target → its path as sent, without the query',
    async (which) => {
      const res = await send(which, '/no%20such/route?token=q');
      expect(expectProblem(res, 404, 'NOT_FOUND').instance).toBe('/no%20such/route');
    },
  );
});

describe("admission's 503 instance", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(pinnedAdmission(1));
  });
  afterAll(() => t.close());

  it('a request refused over the limit → instance is the path, not the target whole', async () => {
    // The one slot held until the test lets go (a client that leaves releases its slot).
    const holder = get(`${t.baseUrl}/delay/30s`, { agent: false });
    holder.on('error', () => undefined);
    try {
      await eventually(async () => (await inFlight(t)) === 1, 10_000);
      const res = await rawRequest(
        t.ports.public,
        `GET http://user:${SECRET}@x/hello?q=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      expect(expectProblem(res, 503, 'CONCURRENCY_LIMITED').instance).toBe('/hello');
      expect(res.body).not.toContain(SECRET);
    } finally {
      holder.destroy();
    }
  });
});

/** The public listener's admitted requests in flight, from the admin port's /metrics. */
async function inFlight(t: TestApp): Promise<number> {
  const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('http_server_admission_in_flight '));
  return Number(line?.split(' ')[1]);
}
