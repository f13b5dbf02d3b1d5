import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../support/admin-client.js';
import { answer, BackendServer, type BackendHandler } from '../support/backend-server.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const THRESHOLD = 3;

/** Writes `bytes` on the socket as the whole answer, whatever HTTP says, and closes it. */
const raw =
  (bytes: string): BackendHandler =>
  (_req, res) =>
    res.socket?.end(bytes);

/** Answers 200 with `body` after `ms`. */
const slow =
  (ms: number): BackendHandler =>
  (_req, res) =>
    void sleep(ms).then(() => answer(200, { late: true })(_req, res, 0));

describe('a backend that misbehaves degrades its own entry, and only its own faults open the breaker', () => {
  let backend: BackendServer;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  /** An app whose breaker, once open, stays open for the test (a minute's cooldown). */
  const start = () =>
    startTestApp({
      ...db.env,
      BACKEND_URLS: backend.url,
      UPSTREAM_BREAKER_THRESHOLD: String(THRESHOLD),
      UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      UPSTREAM_RETRY_MAX: '0',
      UPSTREAM_TIMEOUT_MS: '5000',
      // Room to answer after a deadline cuts a call: the default 50 ms is less than one stall of
      // a loaded CI machine, where the request's own 504 then overtook the degraded entry.
      UPSTREAM_DEADLINE_MARGIN_MS: '400',
    });

  beforeAll(async () => {
    backend = await new BackendServer().start();
    db = await defaultDatabaseEnv();
    t = await start();
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
    await db.drop();
  });

  const fanout = async (headers: Record<string, string> = {}): Promise<JsonBody> => {
    const res = await fetch(`${t.baseUrl}/api/fanout`, { headers });
    expect(res.status).toBe(200);
    return json(res);
  };
  const circuitState = async (): Promise<number | undefined> =>
    new AdminClient(() => t.adminUrl).metric('upstream_circuit_state');

  it('JSON nested 5,000 deep: the entry keeps it as text, the answer stays 200', async () => {
    const deep = '['.repeat(5_000) + ']'.repeat(5_000);
    backend.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(deep);
    };
    const entry = (await fanout()).backends[0];
    expect(entry).toMatchObject({ ok: true, status: 200, body: deep });
    expect(await circuitState()).toBe(0);
  });

  it("a caller's short deadline times its call out without counting against the backend", async () => {
    backend.handler = slow(1_500);
    for (let i = 0; i < THRESHOLD + 2; i++) {
      const entry = (await fanout({ 'x-request-timeout': '1000ms' })).backends[0];
      expect(entry).toMatchObject({ ok: false, error: 'UPSTREAM_TIMEOUT' });
    }
    expect(await circuitState()).toBe(0);
    expect((await fanout()).backends[0]).toMatchObject({ ok: true, status: 200 });
  });

  // A backend that keeps to the deadline it is told (x-request-timeout, as rampart does) answers
  // 504 there, before the caller's own timer fires: counted as the backend's fault, a client's
  // short deadlines opened the breaker for every client.
  it('a 504 at the deadline the call forwarded does not count against the backend', async () => {
    backend.handler = (req, res, hit) => {
      // Told the default deadline (seconds), it answers at once; told a short one, it runs out.
      const told = parseInt(String(req.headers['x-request-timeout']), 10);
      if (!(told < 2_000)) return answer(200, { hit })(req, res, hit);
      void sleep(told).then(() =>
        answer(504, { code: 'REQUEST_DEADLINE_EXCEEDED' })(req, res, hit),
      );
    };
    for (let i = 0; i < THRESHOLD + 2; i++) {
      const entry = (await fanout({ 'x-request-timeout': '1000ms' })).backends[0];
      expect(entry).toMatchObject({ ok: false, status: 504 });
    }
    expect(await circuitState()).toBe(0);
    expect((await fanout()).backends[0]).toMatchObject({ ok: true, status: 200 });
  });

  // Each case opens the breaker: each starts a fresh app, with a closed one.
  it.each([
    [
      'two Content-Lengths that disagree',
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc',
    ],
    [
      'an invalid chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
    ],
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.2\r\n'],
  ])('%s: 502 UPSTREAM_BAD_RESPONSE, and enough of them open the breaker', async (_name, bytes) => {
    await t.close();
    t = await start();
    backend.handler = raw(bytes);
    for (let i = 0; i < THRESHOLD; i++) {
      const entry = (await fanout()).backends[0];
      expect(entry).toMatchObject({ ok: false, status: 502, error: 'UPSTREAM_BAD_RESPONSE' });
    }
    expect(await circuitState()).toBe(1);
  });
});

// Reached, and answering: its first bytes came, then the connection closed before the whole
// answer (in its head or in its body). Reported UPSTREAM_UNREACHABLE, that sent the operator to
// the network; it is a bad answer, and the breaker counts it as one.
describe('a raw TCP backend that cuts its answer short once it began it', () => {
  let server: Server;
  let backendUrl: string;
  let connections = 0;
  let bytes = '';
  let t: TestApp | undefined;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    // Reads the request, writes `bytes` and closes: no HTTP server in between to tidy it up.
    server = createServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(bytes));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    backendUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    db = await defaultDatabaseEnv();
  });
  afterEach(async () => {
    await t?.close();
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.drop();
  });

  const entry = async (): Promise<JsonBody> => {
    const res = await fetch(`${t!.baseUrl}/api/fanout`);
    expect(res.status).toBe(200);
    return (await json(res)).backends[0];
  };

  it.each([
    ['a status line cut off', 'HTTP/1.1 20', "before the answer's headers were whole"],
    [
      'a status line and no end of the head',
      'HTTP/1.1 200 OK\r\n',
      "before the answer's headers were whole",
    ],
    [
      'a 1xx interim answer and nothing after it',
      'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n',
      "before the answer's headers were whole",
    ],
    [
      'a body short of its Content-Length',
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1',
      'body cut short after 6 of 100 bytes',
    ],
    [
      'a chunked body without its last chunk',
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{"a":1\r\n',
      'body cut short after 6 bytes',
    ],
  ])(
    '%s: 502 UPSTREAM_BAD_RESPONSE, and enough of them open the breaker',
    async (_name, answer, detail) => {
      bytes = answer;
      t = await startTestApp({
        ...db.env,
        BACKEND_URLS: backendUrl,
        UPSTREAM_BREAKER_THRESHOLD: String(THRESHOLD),
        UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: '60000',
        UPSTREAM_RETRY_MAX: '0',
      });
      for (let i = 0; i < THRESHOLD; i++) {
        const failed = await entry();
        expect(failed).toMatchObject({ ok: false, status: 502, error: 'UPSTREAM_BAD_RESPONSE' });
        expect(failed.detail).toContain(detail);
      }
      expect(await new AdminClient(() => t!.adminUrl).metric('upstream_circuit_state')).toBe(1);
      const seen = connections;
      expect(await entry()).toMatchObject({ ok: false, error: 'UPSTREAM_CIRCUIT_OPEN' });
      expect(connections).toBe(seen);
    },
  );
});
