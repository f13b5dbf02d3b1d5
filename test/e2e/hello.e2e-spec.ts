import { json } from '../support/http.js';
import { request as httpRequest } from 'node:http';
import { HelloService, HELLO_MESSAGE } from '../../src/hello/hello.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

describe('GET /hello (real listener, real HTTP)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REQUEST_TIMEOUT_MS: '1500' });
  });
  afterAll(() => t.close());

  it('answers the seed greeting (proves Nest injection works: the handler uses 2 services)', async () => {
    const res = await fetch(`${t.baseUrl}/hello`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe(HELLO_MESSAGE);
  });

  it('serves 200 concurrent 1 s waits together, far under the serial 200 s', async () => {
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => fetch(`${t.baseUrl}/hello?delay=1s`)),
    );
    const elapsed = Date.now() - started;
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    await Promise.all(responses.map((r) => r.text()));
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(5000);
  });

  it('a slow request does not delay a fast one', async () => {
    const slow = fetch(`${t.baseUrl}/hello?delay=1s`);
    const started = Date.now();
    const fast = await fetch(`${t.baseUrl}/hello`);
    expect(fast.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    expect((await slow).status).toBe(200);
  });

  it('cancels the server-side wait the moment the client disconnects', async () => {
    const hello = t.app.get(HelloService);
    const url = new URL(`${t.baseUrl}/hello?delay=10s`);
    const req = httpRequest(url);
    req.on('error', () => undefined);
    req.end();
    await until(() => hello.waiting === 1, 2000);
    req.destroy();
    await until(() => hello.waiting === 0, 200);
    expect(hello.waiting).toBe(0);
  });

  it('x-request-timeout lowers the deadline: 100ms on a 2 s delay → 504 problem+json', async () => {
    const started = Date.now();
    const res = await fetch(`${t.baseUrl}/hello?delay=1400ms`, {
      headers: { 'x-request-timeout': '100ms' },
    });
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await json(res);
    expect(body.code).toBe('REQUEST_DEADLINE_EXCEEDED');
    expect(t.app.get(HelloService).waiting).toBe(0);
  });

  it('a client timeout above the server default does not raise it', async () => {
    const started = Date.now();
    const res = await fetch(`${t.baseUrl}/hello?delay=3s`, {
      headers: { 'x-request-timeout': '60s' },
    });
    expect(res.status).toBe(504);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
  });

  it('rejects a malformed x-request-timeout with 400', async () => {
    const res = await fetch(`${t.baseUrl}/hello`, { headers: { 'x-request-timeout': 'soon' } });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('INVALID_REQUEST_TIMEOUT');
  });

  it.each(['abc', '-1', '99999999', '1e309', '2 s', ''])(
    'delay=%j → 400 problem+json naming the parameter',
    async (delay) => {
      const res = await fetch(`${t.baseUrl}/hello?delay=${encodeURIComponent(delay)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = await json(res);
      expect(body.code).toBe('INVALID_INPUT');
      expect(body.errors).toEqual([expect.objectContaining({ field: 'delay' })]);
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(js|ts):\d+/);
    },
  );

  it('rejects a delay repeated in the query string', async () => {
    const res = await fetch(`${t.baseUrl}/hello?delay=1&delay=2`);
    expect(res.status).toBe(400);
  });

  it('honours an incoming x-request-id and echoes it; generates one otherwise', async () => {
    const given = await fetch(`${t.baseUrl}/hello`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${t.baseUrl}/hello`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await fetch(`${t.baseUrl}/hello`, { headers: { 'x-request-id': 'a b<c>' } });
    expect(hostile.headers.get('x-request-id')).not.toBe('a b<c>');
  });
});
