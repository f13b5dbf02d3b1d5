import { connect, type Socket } from 'node:net';
import { KEPT_UNREAD_BYTES } from '../../src/errors/lingering-close.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import type { TestApp } from '../support/test-app.js';

// Small figures so each case takes a second or two; every bound below is relative to them.
const HEADERS_TIMEOUT_MS = 300;
const REQUEST_TIMEOUT_MS = 800;
const KEEP_ALIVE_TIMEOUT_MS = 3_000;
/** "Promptly": a close later than this many timeouts is a socket held, not a timeout. */
const PROMPT = 10;

/** A raw TCP client that keeps what it read and when the server closed it. */
class SlowClient {
  readonly socket: Socket;
  readonly openedAt = performance.now();
  closedAt?: number;
  data = '';
  private trickle?: NodeJS.Timeout;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => (this.data += chunk));
    this.socket.on('error', () => undefined); // a reset after the answer is still a close
    this.socket.on('close', () => {
      this.closedAt = performance.now();
      clearInterval(this.trickle);
    });
  }

  /** Sends `text` now, then one `drip` every `everyMs` until the server closes the socket. */
  send(text: string, drip?: string, everyMs = 50): this {
    this.socket.write(text);
    if (drip !== undefined) {
      this.trickle = setInterval(() => this.socket.writable && this.socket.write(drip), everyMs);
    }
    return this;
  }

  closed(): Promise<number> {
    if (this.closedAt !== undefined) return Promise.resolve(this.closedAt - this.openedAt);
    return new Promise((resolve) =>
      this.socket.once('close', () => resolve(this.closedAt! - this.openedAt)),
    );
  }

  /** Status, lower-cased headers and body of each answer read so far. */
  answers(): Array<{ status: number; headers: Record<string, string>; body: string }> {
    return this.data
      .split(/(?=HTTP\/1\.1 \d{3} )/)
      .filter(Boolean)
      .map((raw) => {
        const [head = '', body = ''] = raw.split('\r\n\r\n');
        const [statusLine, ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(
          lines.map((l) => [
            l.slice(0, l.indexOf(':')).toLowerCase(),
            l.slice(l.indexOf(':') + 1).trim(),
          ]),
        );
        return { status: Number(statusLine!.split(' ')[1]), headers, body };
      });
  }
}

describe('timeouts that close sockets (raw TCP clients)', () => {
  let t: TestApp;
  let port: number;

  const timeouts = async (phase: string): Promise<number> => {
    const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
    return sampleValue(parsePrometheusText(text), 'http_client_timeouts_total', { phase }) ?? NaN;
  };

  beforeAll(async () => {
    t = await startTestAppWithDatabase({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_TIMEOUT_CHECK_INTERVAL_MS: '50',
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      HELLO_MAX_DELAY_MS: '5000',
      // Judge the timeouts alone: no concurrency limit shedding the many slow requests below.
      ADMISSION_ENABLED: 'false',
    });
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(() => t?.close());

  it('slow headers (slowloris) get 408 problem+json and a close after the header timeout, not long after; counted', async () => {
    const before = await timeouts('headers');
    const client = new SlowClient(port).send('GET /hello HTTP/1.1\r\nHost: a\r\n', 'X-Slow: 1\r\n');
    const elapsed = await client.closed();
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(PROMPT * HEADERS_TIMEOUT_MS);
    const [answer] = client.answers();
    expect(answer?.status).toBe(408);
    expect(answer?.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(answer!.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(await timeouts('headers')).toBe(before + 1);
  });

  it('the admin port closes slow headers after the same timeout', async () => {
    const adminPort = Number(new URL(t.adminUrl).port);
    const client = new SlowClient(adminPort).send(
      'GET /metrics HTTP/1.1\r\nHost: a\r\n',
      'X: y\r\n',
    );
    const elapsed = await client.closed();
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(PROMPT * HEADERS_TIMEOUT_MS);
    expect(client.answers()[0]?.status).toBe(408);
  });

  it('a connection that never sends a byte is closed after the header timeout too', async () => {
    const elapsed = await new SlowClient(port).closed();
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(PROMPT * HEADERS_TIMEOUT_MS);
  });

  it('a body trickled past the deadline gets a 408, then the socket is closed; counted', async () => {
    const before = await timeouts('body');
    const client = new SlowClient(port).send(
      'POST /api/items HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100000\r\n\r\n{"name":"',
      'a',
    );
    const elapsed = await client.closed();
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(PROMPT * REQUEST_TIMEOUT_MS);
    const answers = client.answers();
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ status: 408, headers: { connection: 'close' } });
    expect(answers[0]!.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(await timeouts('body')).toBe(before + 1);
  });

  // A small body (at most KEPT_UNREAD_BYTES, errors/lingering-close.ts) keeps its connection
  // after an early answer, and Node reads the rest away: a client that trickles it is cut by the
  // timeouts. A larger one closes the connection with the answer (the next test).
  it('a small body still trickling after an early answer (404) is cut at header + request timeout; counted as body', async () => {
    const before = await timeouts('body');
    const client = new SlowClient(port).send(
      'POST /no-such-route HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${KEPT_UNREAD_BYTES}\r\n\r\nx`,
      'x',
    );
    const elapsed = await client.closed();
    expect(client.answers()[0]?.status).toBe(404);
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS + REQUEST_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(PROMPT * (HEADERS_TIMEOUT_MS + REQUEST_TIMEOUT_MS));
    expect(await timeouts('body')).toBe(before + 1);
  });

  it('a large body still trickling after an early answer (404) closes with the answer; no timeout', async () => {
    const before = await timeouts('body');
    const client = new SlowClient(port).send(
      'POST /no-such-route HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${KEPT_UNREAD_BYTES + 1}\r\n\r\nx`,
      'x',
    );
    await client.closed();
    // The answer said it closes, and the close came from that (lingering, within its own
    // bound), not from the timeouts, which count what they cut.
    expect(client.answers()[0]).toMatchObject({ status: 404, headers: { connection: 'close' } });
    expect(await timeouts('body')).toBe(before);
  });

  it('200 slow-header and 50 slow-body clients at once are all closed, and each is counted', async () => {
    const [headersBefore, bodyBefore] = [await timeouts('headers'), await timeouts('body')];
    const slowHeaders = Array.from({ length: 200 }, () =>
      new SlowClient(port).send('GET /hello HTTP/1.1\r\nHost: a\r\n', 'X: y\r\n', 100),
    );
    const slowBodies = Array.from({ length: 50 }, () =>
      new SlowClient(port).send(
        'POST /api/items HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000\r\n\r\n{',
        ' ',
        100,
      ),
    );
    const elapsed = await Promise.all([...slowHeaders, ...slowBodies].map((c) => c.closed()));
    expect(Math.max(...elapsed)).toBeLessThan(PROMPT * REQUEST_TIMEOUT_MS);
    expect(slowBodies.map((c) => c.answers()[0]?.status)).toEqual(Array(50).fill(408));
    expect(await timeouts('headers')).toBe(headersBefore + 200);
    expect(await timeouts('body')).toBe(bodyBefore + 50);
  });

  it('a keep-alive client idle between requests for 4 header timeouts keeps its socket; a slow handler is not cut', async () => {
    const client = new SlowClient(port);
    const get = async (path: string, count: number) => {
      client.send(`GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`);
      const deadline = Date.now() + 10_000;
      while (client.answers().length < count && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await get('/hello', 1);
    await new Promise((r) => setTimeout(r, 4 * HEADERS_TIMEOUT_MS));
    await get('/hello', 2);
    // A handler slower than the header timeout: its headers were complete, only the deadline applies.
    await get('/hello?delay=600ms', 3);
    await new Promise((r) => setTimeout(r, 4 * HEADERS_TIMEOUT_MS));
    await get('/hello', 4);
    expect(client.closedAt).toBeUndefined();
    expect(client.answers().map((a) => a.status)).toEqual([200, 200, 200, 200]);
    client.socket.destroy();
  });

  it('a keep-alive socket idle past HTTP_KEEP_ALIVE_TIMEOUT_MS is closed and counted as idle', async () => {
    const before = await timeouts('idle');
    const client = new SlowClient(port).send('GET /hello HTTP/1.1\r\nHost: a\r\n\r\n');
    const elapsed = await client.closed();
    expect(client.answers().map((a) => a.status)).toEqual([200]);
    expect(elapsed).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS);
    expect(await timeouts('idle')).toBe(before + 1);
  }, 30_000);
});
