import { json } from '../support/http.js';
import { request as httpRequest } from 'node:http';
import { HelloService, HELLO_MESSAGE } from '../../src/hello/hello.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { rawRequest } from '../support/raw-http.js';
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

  it('serves 200 concurrent 1 s waits together: all 200 are waiting at once', async () => {
    const hello = t.app.get(HelloService);
    let answered = 0;
    let mostWaiting = 0;
    const started = Date.now();
    const responses = Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(`${t.baseUrl}/hello?delay=1s`).then((r) => (answered++, r)),
      ),
    );
    // Served one after another, at most one would wait at a time (200 s in all); together, every
    // request is inside its wait before the first one is answered.
    await until(() => {
      mostWaiting = Math.max(mostWaiting, hello.waiting);
      return mostWaiting === 200 || answered > 0;
    }, 30_000);
    expect({ mostWaiting, answeredBefore: answered }).toEqual({
      mostWaiting: 200,
      answeredBefore: 0,
    });
    const all = await responses;
    expect(all.map((r) => r.status)).toEqual(Array(200).fill(200));
    await Promise.all(all.map((r) => r.text()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('a slow request does not delay a fast one: the fast one is answered while the slow one waits', async () => {
    const hello = t.app.get(HelloService);
    let slowSettled = false;
    // The slow one waits until the test lets it go: a 1 s wait of its own could end before a
    // busy process had seen it waiting and sent the fast one, which then waited for nothing.
    const leaving = new AbortController();
    const slow = fetch(`${t.baseUrl}/hello?delay=10s`, { signal: leaving.signal })
      .catch(() => 'left')
      .finally(() => (slowSettled = true));
    await until(() => hello.waiting === 1, 5_000);
    const fast = await fetch(`${t.baseUrl}/hello`);
    expect({ status: fast.status, slowSettled, waiting: hello.waiting }).toEqual({
      status: 200,
      slowSettled: false,
      waiting: 1,
    });
    leaving.abort();
    expect(await slow).toBe('left');
    await until(() => hello.waiting === 0, 5_000);
  });

  it('cancels the server-side wait the moment the client disconnects', async () => {
    const hello = t.app.get(HelloService);
    const url = new URL(`${t.baseUrl}/hello?delay=10s`);
    const req = httpRequest(url);
    req.on('error', () => undefined);
    req.end();
    await until(() => hello.waiting === 1, 10_000);
    req.destroy();
    // Well inside the 10 s wait: the disconnect, not the timer, ended it.
    await until(() => hello.waiting === 0, 5_000);
    expect(hello.waiting).toBe(0);
  });

  it('x-request-timeout lowers the deadline: 100ms on a 1.4 s delay → 504 problem+json', async () => {
    // The 1.4 s delay fits the server's 1.5 s deadline: only the lowered one can answer 504.
    const res = await fetch(`${t.baseUrl}/hello?delay=1400ms`, {
      headers: { 'x-request-timeout': '100ms' },
    });
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await json(res);
    expect(body.code).toBe('REQUEST_DEADLINE_EXCEEDED');
    expect(t.app.get(HelloService).waiting).toBe(0);
  });

  // A count of ms past 2^53 (a client's "no deadline of mine", Long.MAX_VALUE) was 400: it is
  // as longer than the server's deadline as 60s is. So is a duration past it, and ms of more
  // than 32 digits, which were still 400.
  it.each([
    '60s',
    '9007199254740993',
    '9223372036854775807',
    '99999999999999999999h',
    '9'.repeat(40),
  ])('a client timeout above the server default (%s) does not raise it', async (timeout) => {
    const started = Date.now();
    // A raised deadline would let the 3 s delay finish with 200: the 504 is the proof.
    const res = await fetch(`${t.baseUrl}/hello?delay=3s`, {
      headers: { 'x-request-timeout': timeout },
    });
    expect(res.status).toBe(504);
    expect((await json(res)).code).toBe('REQUEST_DEADLINE_EXCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('rejects a malformed x-request-timeout with 400', async () => {
    const res = await fetch(`${t.baseUrl}/hello`, { headers: { 'x-request-timeout': 'soon' } });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('INVALID_REQUEST_TIMEOUT');
  });

  // "expected ms or a duration" for a 0, which is ms, and for a header sent twice, whose values
  // Node joins into "100, 200", left the client guessing what was wrong.
  it.each([
    ['0', 'expected a whole number of milliseconds from 1, or a duration (150ms, 2s)'],
    ['soon', 'expected a whole number of milliseconds from 1, or a duration (150ms, 2s)'],
    ['1.5', 'expected a whole number of milliseconds from 1, or a duration (150ms, 2s)'],
    [
      '-99999999999999999999h',
      'expected a whole number of milliseconds from 1, or a duration (150ms, 2s)',
    ],
    [['100', '200'], 'given more than once; send it once'],
  ])(
    'x-request-timeout %j → 400 whose message says what is wrong with it',
    async (sent, message) => {
      const lines = [sent].flat().map((value) => `x-request-timeout: ${value}\r\n`);
      const res = await rawRequest(
        t.ports.public,
        `GET /hello HTTP/1.1\r\nHost: a\r\n${lines.join('')}Connection: close\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      const body = JSON.parse(res.body);
      expect(body.code).toBe('INVALID_REQUEST_TIMEOUT');
      expect(body.errors).toEqual([{ field: 'x-request-timeout', message }]);
    },
  );

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
