import type { Socket } from 'node:net';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { json, type JsonBody } from '../support/http.js';
import { endlessBody, RawBackend, trickle, type RawBehaviour } from '../support/raw-backend.js';
import type { TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

const UPSTREAM_TIMEOUT_MS = 1_000;

/** Writes `bytes` and closes its side, as a backend dying mid-answer does. */
function closeAfter(bytes: string): RawBehaviour {
  return (socket: Socket) => socket.end(bytes);
}

/** Writes `bytes` and keeps the socket open: only the client can close it. */
function holdAfter(bytes: string): RawBehaviour {
  return (socket: Socket) => void socket.write(bytes);
}

const OK_HEAD = 'HTTP/1.1 200 OK\r\n';
const BAD = 'UPSTREAM_BAD_RESPONSE';

describe('a backend that breaks HTTP on a raw socket: each fault its code, retried for idempotent calls only, no socket left open', () => {
  let backend: RawBackend;
  let t: TestApp;

  beforeAll(async () => {
    backend = await new RawBackend().start();
    t = await startTestAppWithDatabase({
      BACKEND_URLS: backend.url,
      // The breaker stays out of the way; each call earns its retry, and gets at most one.
      UPSTREAM_BREAKER_THRESHOLD: '10000',
      UPSTREAM_RETRY_MAX: '1',
      UPSTREAM_RETRY_BUDGET_PERCENT: '100',
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      // undici's own phase limits and the request's deadline are far off: only the attempt's
      // timeout can end a trickle in time.
      UPSTREAM_HEADERS_TIMEOUT_MS: '20000',
      UPSTREAM_BODY_TIMEOUT_MS: '20000',
      REQUEST_TIMEOUT_MS: '30000',
    });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
  });

  /**
   * One call through `path` with `init`: the backend's entry, how many connections (attempts) it
   * took, once every socket to the backend is closed again.
   */
  const call = async (path: string, init: RequestInit = {}) => {
    const before = backend.connections;
    const res = await fetch(`${t.baseUrl}${path}`, init);
    expect(res.status).toBe(200);
    const entry: JsonBody = (await json(res)).backends[0];
    await until(() => backend.open === 0, 3_000);
    return { entry, attempts: backend.connections - before };
  };
  const post = (headers: Record<string, string> = {}) =>
    call('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"a":1}',
    });

  // [what the backend does, the entry's code, whether an idempotent call retries it, the bytes]
  it.each([
    ['a status line cut off (`HTTP/1.1 20`)', BAD, true, closeAfter('HTTP/1.1 20')],
    ['a status line without the end of its head', BAD, true, closeAfter(OK_HEAD)],
    [
      'a 1xx interim answer and nothing after it',
      BAD,
      true,
      closeAfter('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n'),
    ],
    ['a close before a byte of an answer', 'UPSTREAM_UNREACHABLE', true, closeAfter('')],
    ['no HTTP at all (`hello`)', BAD, false, holdAfter('hello\r\n\r\n')],
    [
      'an invalid header line',
      BAD,
      false,
      holdAfter(`${OK_HEAD}not a header\r\ncontent-length: 2\r\n\r\nok`),
    ],
    [
      "a header block over the client's limit",
      BAD,
      false,
      holdAfter(`${OK_HEAD}x-big: ${'a'.repeat(64 * 1024)}\r\ncontent-length: 2\r\n\r\nok`),
    ],
    [
      'a chunk size that is not hex',
      BAD,
      false,
      holdAfter(`${OK_HEAD}transfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`),
    ],
    [
      'a status outside 100-599 (RFC 9110 §15: three digits, first 1 to 5)',
      BAD,
      false,
      closeAfter('HTTP/1.1 700 Odd\r\ncontent-length: 2\r\n\r\nok'),
    ],
    [
      'Content-Length and Transfer-Encoding both (RFC 9112 §6.3: an error)',
      BAD,
      false,
      holdAfter(
        `${OK_HEAD}content-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n`,
      ),
    ],
  ])('%s: %s', async (_name, error, retried, behaviour) => {
    backend.behaviour = behaviour;
    const get = await call('/api/fanout');
    expect(get.entry).toMatchObject({ ok: false, status: 502, error });
    expect(get.attempts).toBe(retried ? 2 : 1);
    // A POST is not safe to send twice: never retried, whatever broke.
    const plain = await post();
    expect(plain.entry).toMatchObject({ ok: false, status: 502, error });
    expect(plain.attempts).toBe(1);
    // With an Idempotency-Key it is, as a GET.
    const keyed = await post({ 'idempotency-key': 'k-1' });
    expect(keyed.entry).toMatchObject({ ok: false, status: 502, error });
    expect(keyed.attempts).toBe(retried ? 2 : 1);
  });

  it('a body far past the 1 MiB cap is read no further than about the cap, and not retried', async () => {
    const offered = 256 * 1024 * 1024;
    const flood = endlessBody(offered);
    backend.behaviour = flood;
    const { entry, attempts } = await call('/api/fanout');
    expect(entry).toMatchObject({ ok: false, status: 502, error: 'UPSTREAM_BAD_RESPONSE' });
    expect(entry.detail).toContain('body over 1048576 bytes');
    expect(attempts).toBe(1);
    // The cap plus what the two sockets' buffers held when rampart closed its end.
    expect(flood.written).toBeLessThan(32 * 1024 * 1024);
  });

  it('a Content-Length past the cap is refused before its body, and the socket closed', async () => {
    backend.behaviour = holdAfter(`${OK_HEAD}content-length: 1073741824\r\n\r\nabc`);
    const { entry, attempts } = await call('/api/fanout');
    expect(entry).toMatchObject({ ok: false, status: 502, error: 'UPSTREAM_BAD_RESPONSE' });
    expect(entry.detail).toContain('body of 1073741824 bytes');
    expect(attempts).toBe(1);
  });

  it.each([
    ['its head', trickle(`${OK_HEAD}content-length: 2\r\n\r\nok`, 1_000)],
    [
      'its body',
      (s: Socket) => (
        s.write(`${OK_HEAD}content-length: 60\r\n\r\n`),
        trickle('a'.repeat(60), 1_000)(s)
      ),
    ],
  ])(
    'a backend trickling %s a byte a second ends at UPSTREAM_TIMEOUT_MS, far before the deadline, not retried',
    async (_name, behaviour) => {
      backend.behaviour = behaviour;
      const started = Date.now();
      const { entry, attempts } = await call('/api/fanout');
      expect(entry).toMatchObject({ ok: false, status: 504, error: 'UPSTREAM_TIMEOUT' });
      expect(entry.latencyMs).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - 5);
      expect(Date.now() - started).toBeLessThan(UPSTREAM_TIMEOUT_MS + 2_000);
      expect(attempts).toBe(1);
    },
  );

  it('after all of that, a whole answer goes through', async () => {
    backend.behaviour = closeAfter(
      `${OK_HEAD}content-type: application/json\r\ncontent-length: 8\r\nconnection: close\r\n\r\n{"a":1}\n`,
    );
    const { entry } = await call('/api/fanout');
    expect(entry).toMatchObject({ ok: true, status: 200, body: { a: 1 } });
  });
});
