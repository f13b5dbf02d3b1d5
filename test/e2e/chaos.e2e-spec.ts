import { startTestAppWithDatabase } from '../support/database-app.js';
import { json } from '../support/http.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { rawRequest } from '../support/raw-http.js';
import type { TestApp } from '../support/test-app.js';

// With a query string too: a probe is recognised by its route, not its raw URL.
const PROBES = ['/healthz', '/readyz', '/startupz', '/healthz?verbose=1'];

/** `chaos_request_fault_active{fault}` for error and latency, from the admin port's /metrics. */
async function faultsActive(adminUrl: string): Promise<Record<string, number | undefined>> {
  const families = parsePrometheusText(await (await fetch(`${adminUrl}/metrics`)).text());
  const active = (fault: string) => sampleValue(families, 'chaos_request_fault_active', { fault });
  return { error: active('error'), latency: active('latency') };
}

describe('fault injection: /status, /delay and admin /chaos', () => {
  let t: TestApp;
  const chaos = (method: string, body?: unknown) =>
    fetch(`${t.adminUrl}/chaos`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await startTestAppWithDatabase({ HELLO_MAX_DELAY_MS: '5000' });
  });
  afterAll(() => t?.close());
  afterEach(() => chaos('DELETE'));

  it.each([200, 201, 302, 418, 429, 499, 500, 503, 599])(
    'GET /status/%d answers %d',
    async (code) => {
      const res = await fetch(`${t.baseUrl}/status/${code}`, { redirect: 'manual' });
      expect(res.status).toBe(code);
      if (code >= 400) {
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect((await json(res)).code).toBe('REQUESTED_STATUS');
      }
    },
  );

  it('GET /status/204 answers without a body', async () => {
    const res = await fetch(`${t.baseUrl}/status/204`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('GET /status/205 sends no content (RFC 9110 §15.3.6; it used to send 38 bytes)', async () => {
    // Raw: fetch drops a 205's body whatever the server sent.
    const res = await rawRequest(
      Number(new URL(t.baseUrl).port),
      'GET /status/205 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(res.status).toBe(205);
    expect(res.body).toBe('');
  });

  // RFC 9110 §8.6: no Content-Length with a 204, nor a 304's unless it is the 200's length.
  // Fastify's HEAD twin of the route wrote `content-length: 0` on both, which the GET never sent.
  it.each([204, 304])('HEAD /status/%d carries no Content-Length, as its GET', async (code) => {
    const port = Number(new URL(t.baseUrl).port);
    for (const method of ['GET', 'HEAD']) {
      const res = await rawRequest(port, `${method} /status/${code} HTTP/1.1\r\nHost: a\r\n\r\n`, {
        head: method === 'HEAD',
      });
      expect([method, res.status, res.headers['content-length']]).toEqual([
        method,
        code,
        undefined,
      ]);
    }
  });

  it.each([301, 302, 303, 307, 308])(
    'GET /status/%d redirects somewhere: Location /hello, which a client that follows gets 200 from',
    async (code) => {
      const res = await fetch(`${t.baseUrl}/status/${code}`, { redirect: 'manual' });
      expect(res.status).toBe(code);
      expect(res.headers.get('location')).toBe('/hello');
      await res.arrayBuffer();
      const followed = await fetch(`${t.baseUrl}/status/${code}`);
      expect(followed.status).toBe(200);
      expect(followed.url).toBe(`${t.baseUrl}/hello`);
      await followed.arrayBuffer();
    },
  );

  it('GET /status/206 sends the Content-Range of the body it sends (RFC 9110 §15.3.7)', async () => {
    const res = await rawRequest(
      Number(new URL(t.baseUrl).port),
      'GET /status/206 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(res.status).toBe(206);
    const bytes = Buffer.byteLength(res.body);
    expect(bytes).toBeGreaterThan(0);
    expect(res.headers['content-range']).toBe(`bytes 0-${bytes - 1}/${bytes}`);
    expect(JSON.parse(res.body)).toEqual({ status: 206, title: 'Partial Content' });
  });

  // RFC 9110 requires a header with each; they used to go out without it (a 405 with no Allow).
  it.each([
    [401, { 'www-authenticate': 'Basic realm="Fake Realm"' }],
    [405, { allow: '' }],
    [407, { 'proxy-authenticate': 'Basic realm="Fake Realm"' }],
    [416, { 'content-range': 'bytes */0' }],
    [426, { upgrade: 'TLS/1.2, HTTP/1.1', connection: 'Upgrade' }],
  ])('GET /status/%d answers it with the header HTTP requires of it', async (code, headers) => {
    // Raw: the exact bytes, an empty Allow included; and the connection stays open for the next.
    const res = await rawRequest(
      Number(new URL(t.baseUrl).port),
      `GET /status/${code} HTTP/1.1\r\nHost: a\r\n\r\n`,
    );
    expect(res.status).toBe(code);
    expect(res.headers).toMatchObject(headers);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body).code).toBe('REQUESTED_STATUS');
    expect(res.closed).toBe(false);
  });

  it('GET /status/408 closes the connection after its answer, as a 408 says it does', async () => {
    const res = await rawRequest(
      Number(new URL(t.baseUrl).port),
      'GET /status/408 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(res.status).toBe(408);
    expect(res.headers.connection).toBe('close');
    expect(res.closed).toBe(true);
  });

  it('a client reads GET /status/426 as a plain answer, not a switch of protocol', async () => {
    const res = await fetch(`${t.baseUrl}/status/426`);
    expect(res.status).toBe(426);
    expect((await json(res)).code).toBe('REQUESTED_STATUS');
    // Same connection pool, next request: the 426 did not leave the connection unusable.
    expect((await fetch(`${t.baseUrl}/status/200`)).status).toBe(200);
  });

  it.each(['99', '100', '600', 'abc', '2000', '-1', '20x'])(
    'GET /status/%s → 400',
    async (code) => {
      const res = await fetch(`${t.baseUrl}/status/${code}`);
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.code).toBe('INVALID_INPUT');
      // One message for every code out of range: 600 alone got zod's "Too big: expected number
      // to be <=599".
      expect(body.errors).toEqual([
        { field: 'code', message: 'expected a status from 200 to 599' },
      ]);
    },
  );

  it('GET /delay/:duration waits, then answers', async () => {
    const started = Date.now();
    const res = await fetch(`${t.baseUrl}/delay/150ms`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ delayedMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it.each(['abc', '-5', '6s', '1e3'])('GET /delay/%s → 400', async (duration) => {
    const res = await fetch(`${t.baseUrl}/delay/${duration}`);
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0].field).toBe('duration');
  });

  it('GET /delay is cut by the deadline: 504 at x-request-timeout', async () => {
    // Had the 4 s delay run out, it would answer 200: the 504 is the deadline's.
    const res = await fetch(`${t.baseUrl}/delay/4s`, { headers: { 'x-request-timeout': '100ms' } });
    expect(res.status).toBe(504);
    expect((await json(res)).code).toBe('REQUEST_DEADLINE_EXCEEDED');
  });

  it.each([
    ['errorRate 2', { errorRate: 2 }, 'errorRate'],
    ['negative errorRate', { errorRate: -0.1 }, 'errorRate'],
    ['negative latency', { latencyMs: -5 }, 'latencyMs'],
    ['fractional latency', { latencyMs: 1.5 }, 'latencyMs'],
    ['latency as a string', { latencyMs: '100' }, 'latencyMs'],
    ['errorRate as a string', { errorRate: '0.5' }, 'errorRate'],
    ['status out of range', { errorStatus: 200 }, 'errorStatus'],
    // Each needs a header an injected failure cannot truthfully send (Allow, WWW-Authenticate, …).
    ['405, which needs Allow', { errorRate: 1, errorStatus: 405 }, 'errorStatus'],
    ['401, which needs WWW-Authenticate', { errorRate: 1, errorStatus: 401 }, 'errorStatus'],
    ['407, which needs Proxy-Authenticate', { errorStatus: 407 }, 'errorStatus'],
    ['426, which needs Upgrade', { errorStatus: 426 }, 'errorStatus'],
    ['negative jitter', { latencyJitterMs: -1 }, 'latencyJitterMs'],
    // Named as on the public port: the field was `body`, its message zod's `Unrecognized key`.
    ['an unknown field', { errorRat: 0.5 }, 'errorRat'],
    ['an array', [1], 'body'],
    // JSON null is a body, not the absence of one: it used to reset every setting (200).
    ['a null body', null, 'body'],
  ])('PUT /chaos with %s → 400 problem+json, settings unchanged', async (_name, body, field) => {
    const before = await json(await chaos('GET'));
    const res = await chaos('PUT', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(res);
    expect(problem.code).toBe('INVALID_INPUT');
    // One problem for the one field: errorStatus 200 was reported as too small and again as
    // not injectable.
    expect(problem.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(await json(await chaos('GET'))).toEqual(before);
  });

  // JSON.parse reads each of these as an integer the client did not write; the setting took it.
  it.each([
    ['{"latencyMs":1e-400}', 'latencyMs', 'read as 0; send the integer itself, not 1e-400'],
    ['{"errorRate":1,"errorStatus":503.00000000000001}', 'errorStatus', 'read as 503;'],
    ['{"latencyJitterMs":9007199254740993}', 'latencyJitterMs', 'read as 9007199254740992;'],
  ])(
    'PUT /chaos with %s → 400 naming the number, settings unchanged',
    async (body, field, said) => {
      const before = await json(await chaos('GET'));
      const res = await fetch(`${t.adminUrl}/chaos`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      const problem = await json(res);
      expect(problem.code).toBe('INVALID_INPUT');
      expect(problem.errors).toEqual([{ field, message: expect.stringContaining(said) }]);
      expect(await json(await chaos('GET'))).toEqual(before);
    },
  );

  it('PUT /chaos takes an integer written with a zero fraction or an exponent as that integer', async () => {
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"latencyMs":1.0e1,"latencyJitterMs":20.000}',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ latencyMs: 10, latencyJitterMs: 20 });
  });

  // Only an integer setting is refused for a literal JSON reads as another integer: errorRate
  // takes any number, and its literal is read as the double nearest it ("read as 1; send the
  // integer itself" answered a rate of 0.99999999999999999).
  it.each([
    ['{"errorRate":0.99999999999999999}', 1],
    ['{"errorRate":1e-400}', 0],
  ])('PUT /chaos with %s → 200, the rate read as %d', async (body, errorRate) => {
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ errorRate });
  });

  it('PUT /chaos with a malformed JSON body → 400', async () => {
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"errorRate": ',
    });
    expect(res.status).toBe(400);
  });

  it('errorRate 1 fails every public request with CHAOS_INJECTED, never the probes', async () => {
    const put = await chaos('PUT', { errorRate: 1, errorStatus: 502 });
    expect(put.status).toBe(200);
    expect(await json(put)).toEqual({
      errorRate: 1,
      errorStatus: 502,
      latencyMs: 0,
      latencyJitterMs: 0,
    });
    for (const path of ['/hello', '/api/info', '/status/200']) {
      const res = await fetch(`${t.baseUrl}${path}`);
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(res)).code).toBe('CHAOS_INJECTED');
    }
    for (const probe of PROBES) expect((await fetch(`${t.baseUrl}${probe}`)).status).toBe(200);
    // The admin port is not subject to chaos either: metrics stay scrapable.
    expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(200);
  });

  it('latency applies to public routes, not to the probes', async () => {
    // Far longer than any answer on a busy machine: a probe that waited it out would show.
    const latencyMs = 20_000;
    await chaos('PUT', { latencyMs });
    let started = Date.now();
    const hello = await fetch(`${t.baseUrl}/hello`, { headers: { 'x-request-timeout': '300ms' } });
    expect(hello.status).toBe(504); // waited, until its own deadline
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    for (const probe of PROBES) {
      started = Date.now();
      expect((await fetch(`${t.baseUrl}${probe}`)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(latencyMs);
    }
  });

  it('injected latency still ends at the deadline with a 504', async () => {
    const latencyMs = 5_000;
    await chaos('PUT', { latencyMs });
    const started = Date.now();
    const res = await fetch(`${t.baseUrl}/hello`, { headers: { 'x-request-timeout': '100ms' } });
    expect(res.status).toBe(504);
    expect((await json(res)).code).toBe('REQUEST_DEADLINE_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(latencyMs); // cut short, not waited out
  });

  it('errorRate 0.5 fails about half the requests', async () => {
    await chaos('PUT', { errorRate: 0.5 });
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async () => (await fetch(`${t.baseUrl}/hello`)).status),
    );
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(60); // 200 draws at p=0.5: outside 60..140 is ~1e-8 likely
    expect(failed).toBeLessThan(140);
  });

  it('DELETE /chaos switches it off', async () => {
    await chaos('PUT', { errorRate: 1 });
    const res = await chaos('DELETE');
    expect(await json(res)).toEqual({
      errorRate: 0,
      errorStatus: 503,
      latencyMs: 0,
      latencyJitterMs: 0,
    });
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(200);
  });

  it('/metrics says which request faults are on (chaos_request_fault_active), so a dashboard does too', async () => {
    expect(await faultsActive(t.adminUrl)).toEqual({ error: 0, latency: 0 });
    await chaos('PUT', { errorRate: 0.01 });
    expect(await faultsActive(t.adminUrl)).toEqual({ error: 1, latency: 0 });
    await chaos('PUT', { latencyJitterMs: 5 });
    expect(await faultsActive(t.adminUrl)).toEqual({ error: 0, latency: 1 });
    await chaos('PUT', { errorRate: 1, latencyMs: 5 });
    expect(await faultsActive(t.adminUrl)).toEqual({ error: 1, latency: 1 });
    await chaos('DELETE');
    expect(await faultsActive(t.adminUrl)).toEqual({ error: 0, latency: 0 });
  });
});

describe('chaos defaults come from CHAOS_* configuration', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestAppWithDatabase({ CHAOS_ERROR_RATE: '1', CHAOS_ERROR_STATUS: '500' });
  });
  afterAll(() => t?.close());

  it('fails public requests from the first one, and GET /chaos shows the configured settings', async () => {
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(500);
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
    expect(await json(await fetch(`${t.adminUrl}/chaos`))).toEqual({
      errorRate: 1,
      errorStatus: 500,
      latencyMs: 0,
      latencyJitterMs: 0,
    });
    expect(await faultsActive(t.adminUrl)).toEqual({ error: 1, latency: 0 });
  });
});
