import { connect } from 'node:net';
import { LINGER_BYTES, LINGER_MS } from '../../src/errors/lingering-close.js';
import { startChild, type Child } from '../support/child-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { answerOf, CHUNK, PLAIN, uploadThenRead } from '../support/upload-client.js';

const BYTES = LINGER_BYTES / 2;
const chunked = { piece: CHUNK, tail: '0\r\n\r\n' };
const plain = { piece: PLAIN, tail: '' };
// A good chunk, then bytes that are no chunk size.
const badChunks = {
  piece: Buffer.concat([Buffer.from('1\r\n{\r\n'), Buffer.alloc(64 * 1024, 'z')]),
  tail: '',
};
const length = `Content-Length: ${BYTES}`;
const PROBLEM = 'application/problem+json; charset=utf-8';
const PROBLEM_CODES: Record<number, string> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  417: 'EXPECTATION_FAILED',
};

/** What the client read and met for one upload: status, framing, body, and any reset. */
async function upload(port: number, head: string, body = plain) {
  const { error, text } = await uploadThenRead(port, `${head}\r\n\r\n`, BYTES, body);
  return { error, ...answerOf(text) };
}

/** Every trickling client, destroyed after each test: a test that failed left none sending. */
const clients = new Set<{ destroy(): void }>();
afterEach(() => clients.forEach((socket) => socket.destroy()));

/** A client that sends `head`, reads what comes, and keeps trickling bytes without ever ending. */
function trickling(port: number, head: string) {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  clients.add(socket);
  const seen = { text: '', fin: false };
  socket.on('data', (chunk: Buffer) => (seen.text += chunk.toString('latin1')));
  socket.once('end', () => (seen.fin = true));
  // Cut by the linger bound while still writing, it meets a reset: that is the bound working.
  socket.on('error', () => undefined);
  const started = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  socket.write(head);
  const trickle = setInterval(() => socket.writable && socket.write('a'.repeat(64)), 20);
  void closed.then(() => clearInterval(trickle));
  /** How long after its start the server closed it, or undefined if it has not within `ms`. */
  const closedWithin = (ms: number) =>
    Promise.race([
      closed.then((at) => at - started),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
    ]).finally(() => socket.destroy());
  return { socket, seen, closed, closedWithin };
}

const until = async (done: () => boolean, ms = LINGER_MS + 3_000) => {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
};

/**
 * The probe port (a thread of its own, health/probe.worker.ts) closed a connection whose body it
 * had not read with that body still arriving: a framing error, an `Expect` answered without the
 * 100, a client that asked for the close. The kernel resets such a socket, and a client still
 * uploading met the reset (EPIPE) before it read the answer. It now closes as the public port
 * does (errors/lingering-close.ts): the answer, a FIN, what still arrives read away within
 * LINGER_MS and LINGER_BYTES. A body is never read to its end on this port: any request that
 * announces one is answered with `Connection: close` and lingers, where Node kept the connection
 * and read the body away whatever its size.
 */
describe('probe port: an upload gets its answer, not a reset, and is read within bounds', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  // Each: the status, the request line, what its headers say, those headers, the body. The first
  // five were answered on a kept connection, the body read away by Node to its end; the next
  // were closed at once (the client asked, or no 100 preceded the answer) and reset.
  it.each([
    [200, 'GET /healthz', 'a length', length, plain],
    [405, 'POST /healthz', 'a length', length, plain],
    [405, 'PUT /readyz', 'chunked', 'Transfer-Encoding: chunked', chunked],
    [404, 'POST /nope', 'a length', length, plain],
    [404, 'GET /nope', 'chunked', 'Transfer-Encoding: chunked', chunked],
    [405, 'POST /healthz', 'Connection: close', `${length}\r\nConnection: close`, plain],
    [200, 'GET /healthz', 'Expect: 100-continue', `${length}\r\nExpect: 100-continue`, plain],
    [405, 'POST /healthz', 'Expect: 100-continue', `${length}\r\nExpect: 100-continue`, plain],
    [
      404,
      'POST /nope',
      'Expect: 100-continue, chunked',
      'Transfer-Encoding: chunked\r\nExpect: 100-continue',
      chunked,
    ],
    [417, 'POST /healthz', 'Expect: foo', `${length}\r\nExpect: foo`, plain],
    // Nothing reads the body: the bad chunk is never parsed, and no 400 follows the answer.
    [405, 'POST /healthz', 'a bad chunk after a good one', 'Transfer-Encoding: chunked', badChunks],
    [404, 'GET /nope', 'a bad chunk after a good one', 'Transfer-Encoding: chunked', badChunks],
  ] as const)(
    'the whole %d to %s (%s), a large body streamed after the headers, then the close',
    async (status, line, _, headers, body) => {
      const answer = await upload(t.ports.probe, `${line} HTTP/1.1\r\nHost: a\r\n${headers}`, body);
      expect(answer).toEqual({
        error: undefined,
        status,
        connection: 'close',
        type: status === 200 ? 'application/json; charset=utf-8' : PROBLEM,
        complete: true,
        code: status === 200 ? undefined : PROBLEM_CODES[status],
      });
    },
  );

  it('POST /healthz over HTTP/1.0 (closed after the answer), a large body → the whole 405', async () => {
    const answer = await upload(t.ports.probe, `POST /healthz HTTP/1.0\r\nHost: a\r\n${length}`);
    expect(answer).toMatchObject({ error: undefined, status: 405, type: PROBLEM, complete: true });
  });

  // Refused by Node's parser (the raw answer, probe.client-error.ts) or by the framing check.
  it.each([
    ['Content-Length and chunked', `${length}\r\nTransfer-Encoding: chunked`, chunked],
    ['two Content-Lengths', `${length}\r\nContent-Length: ${BYTES + 1}`, plain],
    ['a Content-Length that is no number', 'Content-Length: 4e6', plain],
    ['a coding other than chunked', 'Transfer-Encoding: gzip, chunked', chunked],
  ] as const)(
    '%s, the body streamed after the headers → the whole 400',
    async (_, framing, body) => {
      for (const line of ['POST /healthz', 'GET /nope']) {
        const answer = await upload(
          t.ports.probe,
          `${line} HTTP/1.1\r\nHost: a\r\n${framing}`,
          body,
        );
        expect([line, answer]).toEqual([
          line,
          {
            error: undefined,
            status: 400,
            connection: 'close',
            type: PROBLEM,
            complete: true,
            code: 'BAD_REQUEST',
          },
        ]);
      }
    },
  );

  // Node read a body it answered before away to its end on a kept connection, and a CONNECT's
  // socket was only ended: a client that never stopped sending held it for good.
  it.each([
    ['POST /healthz (kept alive before)', 'POST /healthz HTTP/1.1\r\nHost: a\r\n'],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n'],
  ])(
    '%s, a body trickled without end → its 405, then closed within the linger bound',
    async (_, head) => {
      const client = trickling(t.ports.probe, `${head}Content-Length: 1000000000\r\n\r\n`);
      const closedAfter = await client.closedWithin(LINGER_MS + 3_000);
      expect(answerOf(client.seen.text)).toMatchObject({
        status: 405,
        type: PROBLEM,
        complete: true,
      });
      // The answer came with a FIN; the client never stopped, so the bound closed it.
      expect(client.seen.fin).toBe(true);
      expect(closedAfter).toBeLessThan(LINGER_MS + 1_500);
    },
  );

  it('a probe answers 200 while an upload lingers, not after it', async () => {
    const client = trickling(
      t.ports.probe,
      `POST /healthz HTTP/1.1\r\nHost: a\r\n${length}\r\n\r\n`,
    );
    // Answered and half-closed by the server (its FIN), the client still sending.
    await until(() => client.seen.fin || client.socket.destroyed);
    expect(client.seen.fin).toBe(true);
    expect((await fetch(`${t.probeUrl}/healthz`)).status).toBe(200);
    // The upload still lingered when the probe was answered: it waited for none of it.
    expect(client.socket.destroyed).toBe(false);
    expect(await client.closedWithin(LINGER_MS + 3_000)).toBeLessThan(LINGER_MS + 1_500);
    expect(answerOf(client.seen.text).status).toBe(405);
  });
});

/**
 * The bundle (`npm start`, the image) runs the probe thread from the same source, and it loads
 * errors/lingering-close.ts on its own: from the entry scripts/bundle.mjs makes of it there.
 */
describe('probe port in the built bundle: an upload gets its answer, not a reset', () => {
  let child: Child;

  beforeAll(async () => {
    child = await startChild({});
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
  });

  it.each([
    [405, 'METHOD_NOT_ALLOWED', 'Connection: close', `${length}\r\nConnection: close`, plain],
    [
      400,
      'BAD_REQUEST',
      'Content-Length and chunked',
      `${length}\r\nTransfer-Encoding: chunked`,
      chunked,
    ],
  ] as const)('the whole %d %s to POST /healthz (%s)', async (status, code, _, headers, body) => {
    const port = child.ports.probePort!;
    const answer = await upload(port, `POST /healthz HTTP/1.1\r\nHost: a\r\n${headers}`, body);
    expect(answer).toMatchObject({ error: undefined, status, complete: true, code });
    expect((await fetch(`${child.probeUrl!}/healthz`)).status).toBe(200);
  });
});
