import { AdminServer } from '../../src/admin/admin.server.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { ProblemCounts } from '../../src/errors/problem.counts.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { expectRawProblem } from '../support/raw-problem.js';
import { startTestApp, TEST_ENV, type TestApp } from '../support/test-app.js';

const STACK_FRAME = /\bat .*\.(js|ts):\d+/;

const LONG_PATH = `/${'p'.repeat(9_000)}`;

/** GET `target` on `port`, read off a raw socket: its 404 problem. */
async function notFound(port: number, target: string) {
  const request = `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
  return expectRawProblem(await rawRequest(port, request), 404, 'NOT_FOUND') as {
    detail: string;
    instance: string;
  };
}

describe('errors are application/problem+json, never a stack', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ HTTP_BODY_LIMIT_BYTES: '1024' });
  });
  afterAll(() => t.close());

  async function problem(res: Response) {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const text = await res.text();
    expect(text).not.toMatch(STACK_FRAME);
    const body = JSON.parse(text);
    expect(body).toEqual(
      expect.objectContaining({ type: expect.any(String), title: expect.any(String) }),
    );
    expect(body.status).toBe(res.status);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    return body;
  }

  it('unknown route → 404 NOT_FOUND', async () => {
    const res = await fetch(`${t.baseUrl}/no/such/route`);
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe('NOT_FOUND');
  });

  it('malformed JSON body → 400 MALFORMED_JSON', async () => {
    const res = await fetch(`${t.baseUrl}/api/counters/a/increment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe('MALFORMED_JSON');
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${t.baseUrl}/api/counters/a/increment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'a'.repeat(4096) }),
    });
    expect(res.status).toBe(413);
    const body = await problem(res);
    expect(body.code).toBe('PAYLOAD_TOO_LARGE');
    // As the 413 before a body sent with Expect: 100-continue does: "Request body is too large"
    // left the client to guess how large it may be.
    expect(body.detail).toBe('The body exceeds the limit of 1024 bytes.');
  });

  it('malformed URL (caught by Fastify before routing) → 400 MALFORMED_URL', async () => {
    const res = await fetch(`${t.baseUrl}/api/items/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe('MALFORMED_URL');
  });

  // As on the public port (hostile-input.e2e-spec.ts): answered by the protocol checks
  // (protocol/unrouted.reply.ts), the target whole in `instance`, cut in `detail`.
  it('unknown 9 KB admin target → 404 whose detail names it cut at 200 characters', async () => {
    const body = await notFound(t.ports.admin, `${LONG_PATH}?q`);
    expect(body.instance).toBe(LONG_PATH);
    expect(body.detail).toBe(`No route GET ${LONG_PATH.slice(0, 200)}…`);
  });

  it('the process keeps serving after a burst of bad requests', async () => {
    // Sent here, so the test holds whether or not the ones above ran first.
    const bad = await Promise.all([
      fetch(`${t.baseUrl}/no/such/route`),
      fetch(`${t.baseUrl}/api/items/%E0%A4%A`),
      fetch(`${t.baseUrl}/api/counters/a/increment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name": ',
      }),
      fetch(`${t.baseUrl}/api/counters/a/increment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ x: 'a'.repeat(4096) }),
      }),
    ]);
    expect(bad.map((r) => r.status)).toEqual([404, 400, 400, 413]);
    await Promise.all(bad.map((r) => r.arrayBuffer()));
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(200);
  });
});

/**
 * The admin listener's own 404 (admin/admin.server.ts) names a long target whole in `instance` and
 * cut in `detail`, as the other ports' do (hostile-input.e2e-spec.ts,
 * probe-port-targets.e2e-spec.ts).
 */
describe('the admin listener’s not-found handler cuts a long target in its detail', () => {
  // Every unrouted request is answered before the not-found handler (protocol/unrouted.reply.ts):
  // only a route that hands its request on with `reply.callNotFound()` reaches it, and there a
  // 9 KB target came back whole in `detail` too.
  it('a route that calls callNotFound: the admin 404 names the path cut at 200 characters, no query', async () => {
    const admin = new AdminServer(loadConfig(TEST_ENV), new ProblemCounts());
    admin.routes.get('/handed-on/*', (_request, reply) => reply.callNotFound());
    await admin.listen();
    try {
      const path = `/handed-on${LONG_PATH}`;
      const body = await notFound(admin.port, `${path}?${'q'.repeat(100)}`);
      expect(body.instance).toBe(path);
      expect(body.detail).toBe(`No route GET ${path.slice(0, 200)}…`);
      expect((await notFound(admin.port, '/handed-on/x?q')).detail).toBe(
        'No route GET /handed-on/x',
      );
    } finally {
      await admin.onApplicationShutdown();
    }
  });
});

/**
 * What a client can tell apart in a problem answer, with the target's path written `{path}`:
 * its status, which headers it carries and their values but the per-answer ones, and the body's
 * members with their values but the request id.
 */
function problemShape(res: RawResponse, path: string) {
  const body = JSON.parse(res.body) as Record<string, unknown>;
  const headers = Object.fromEntries(
    Object.entries(res.headers)
      .filter(([name]) => !['date', 'content-length', 'x-request-id'].includes(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const members = Object.fromEntries(
    Object.entries(body)
      .filter(([name]) => name !== 'requestId')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => [
        name,
        typeof value === 'string' ? value.split(path).join('{path}') : value,
      ]),
  );
  return {
    status: res.status,
    headers,
    members,
    requestIdHeader: res.headers['x-request-id'] === body.requestId,
  };
}

/**
 * The admin listener answers a request it has no route for as the public port does, over a real
 * socket: the same 404 (from the protocol checks, and from its own not-found handler, which a
 * route reaches with `reply.callNotFound()`), and the same 405 with `Allow` for a method a known
 * path does not take. An operator's tooling reads one problem shape from every port.
 */
describe('the admin port’s 404 and 405 have the public port’s shape', () => {
  let t: TestApp;
  let handedOn: AdminServer;

  beforeAll(async () => {
    t = await startTestApp();
    handedOn = new AdminServer(loadConfig(TEST_ENV), new ProblemCounts());
    handedOn.routes.get('/handed-on/*', (_request, reply) => reply.callNotFound());
    await handedOn.listen();
  });
  afterAll(async () => {
    await handedOn?.onApplicationShutdown();
    await t?.close();
  });

  const send = (port: number, method: string, path: string) =>
    rawRequest(
      port,
      `${method} ${path}?q=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );

  it('an unknown path: 404 NOT_FOUND problem+json, as the public port answers one', async () => {
    const publicAnswer = await send(t.ports.public, 'GET', '/no/such');
    expectRawProblem(publicAnswer, 404, 'NOT_FOUND');
    const publicShape = problemShape(publicAnswer, '/no/such');
    expect(publicShape.members).toMatchObject({
      instance: '{path}',
      detail: 'No route GET {path}',
    });

    const unrouted = await send(t.ports.admin, 'GET', '/no/such');
    expectRawProblem(unrouted, 404, 'NOT_FOUND');
    expect(problemShape(unrouted, '/no/such')).toEqual(publicShape);

    const notFound = await send(handedOn.port, 'GET', '/handed-on/x');
    expectRawProblem(notFound, 404, 'NOT_FOUND');
    expect(problemShape(notFound, '/handed-on/x')).toEqual(publicShape);
  });

  it.each([
    ['DELETE', '/metrics', 'GET, HEAD'],
    ['PATCH', '/chaos', 'GET, HEAD, PUT, DELETE'],
  ])(
    '%s %s, a method the admin path does not take: 405 with Allow: %s, as on the public port',
    async (method, path, allow) => {
      const publicAnswer = await send(t.ports.public, 'DELETE', '/hello');
      expectRawProblem(publicAnswer, 405, 'METHOD_NOT_ALLOWED');
      expect(publicAnswer.headers.allow).toBe('GET, HEAD');

      const answer = await send(t.ports.admin, method, path);
      expectRawProblem(answer, 405, 'METHOD_NOT_ALLOWED');
      expect(answer.headers.allow).toBe(allow);
      const shape = problemShape(answer, path);
      const expected = problemShape(publicAnswer, '/hello');
      expect(shape).toEqual({
        ...expected,
        headers: { ...expected.headers, allow },
        members: {
          ...expected.members,
          detail: `${method} is not supported here; allowed: ${allow}.`,
        },
      });
    },
  );
});
