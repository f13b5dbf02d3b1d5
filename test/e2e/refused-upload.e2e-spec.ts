import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { KEPT_UNREAD_BYTES, LINGER_BYTES } from '../../src/errors/lingering-close.js';
import { rawExchange, statusesOf } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { answerOf, CHUNK, PLAIN, uploadThenRead, waitForDrain } from '../support/upload-client.js';

/**
 * A body refused before its end (415 at its first chunk, 413 past the limit) is answered with
 * `Connection: close`, and Node closed the socket as soon as the answer was written, the upload
 * still arriving: a close with unread bytes is a TCP reset, and a client still writing met it
 * (EPIPE) and never read its answer. The connection now lingers (errors/lingering-close.ts):
 * the answer, a FIN, and what still arrives is read and thrown away, within bounds.
 */
const plainBody = { piece: PLAIN, tail: '' };
const chunkedBody = { piece: CHUNK, tail: '0\r\n\r\n' };

describe('a refused upload: the client reads its answer, not a reset', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A small body limit for the 413; a long deadline, so what closes a lingering connection is
    // the linger's own bound, not the request deadline's 408.
    t = await startTestApp({ HTTP_BODY_LIMIT_BYTES: '1024', REQUEST_TIMEOUT_MS: '30000' });
  });
  afterAll(() => t.close());

  const head = (line: string, type: string) =>
    `${line} HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`;

  // The admin guard refuses a type other than JSON before the body is read (admin.guard.ts): the
  // connection was kept and Node read the rest of the body away; a chunked body, of no announced
  // length, now closes it instead (KEPT_UNREAD_BYTES, below).
  it.each([
    ['public', 'POST /api/items', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE', 'close'],
    ['public', 'POST /api/items', 'application/json', 413, 'PAYLOAD_TOO_LARGE', 'close'],
    ['admin', 'PUT /chaos', 'application/json', 413, 'PAYLOAD_TOO_LARGE', 'close'],
    ['admin', 'PUT /chaos', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE', 'close'],
  ] as const)(
    '%s port: %s (%s), a large chunked body streamed after the headers → the whole %d is read',
    async (which, line, type, status, code, connection) => {
      const upload = await uploadThenRead(t.ports[which], head(line, type), LINGER_BYTES / 2);
      expect({ error: upload.error, ...answerOf(upload.text) }).toEqual({
        error: undefined,
        status,
        connection,
        type: 'application/problem+json; charset=utf-8',
        complete: true,
        code,
      });
    },
  );

  // The client asked for the close itself (`Connection: close`, or HTTP/1.0, whose default it
  // is), and its upload is refused before the body is read: a 404 or 405 written while the body
  // still arrives, and Node closes the connection after it.
  it.each([
    ['public', 'POST /api/nope HTTP/1.1', 'Connection: close', 404, 'NOT_FOUND'],
    ['public', 'POST /hello HTTP/1.1', 'Connection: close', 405, 'METHOD_NOT_ALLOWED'],
    ['public', 'POST /api/nope HTTP/1.0', 'no Connection header', 404, 'NOT_FOUND'],
    ['admin', 'POST /nope HTTP/1.1', 'Connection: close', 404, 'NOT_FOUND'],
  ] as const)(
    '%s port: %s with %s, a large body streamed after the headers → the whole %d is read',
    async (which, line, connection, status, code) => {
      const bytes = LINGER_BYTES / 2;
      const head =
        `${line}\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n` +
        (connection.startsWith('Connection:') ? `${connection}\r\n\r\n` : '\r\n');
      const upload = await uploadThenRead(t.ports[which], head, bytes, { piece: PLAIN, tail: '' });
      expect({ error: upload.error, ...answerOf(upload.text) }).toMatchObject({
        error: undefined,
        status,
        type: 'application/problem+json; charset=utf-8',
        complete: true,
        code,
      });
    },
  );

  // A kept connection: Node reads a body the route never took to its end before the next
  // request, so an upload announced large (or chunked, without end) to a 404 held the connection
  // and the CPU reading it until the deadline. Past KEPT_UNREAD_BYTES the answer closes instead.
  it.each([
    ['public', 'POST /hello', 405, 'METHOD_NOT_ALLOWED', plainBody],
    ['public', 'POST /api/nope', 404, 'NOT_FOUND', chunkedBody],
    ['admin', 'POST /nope', 404, 'NOT_FOUND', plainBody],
  ] as const)(
    '%s port: %s kept alive, a large body the route never reads → the %d, then the connection closes',
    async (which, line, status, code, body) => {
      const bytes = LINGER_BYTES / 2;
      const framing =
        body === plainBody ? `Content-Length: ${bytes}` : 'Transfer-Encoding: chunked';
      const head = `${line} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
      const upload = await uploadThenRead(t.ports[which], head, bytes, body);
      expect({ error: upload.error, ...answerOf(upload.text) }).toEqual({
        error: undefined,
        status,
        connection: 'close',
        type: 'application/problem+json; charset=utf-8',
        complete: true,
        code,
      });
    },
  );

  it('a small body the route never reads is read away, and the connection kept', async () => {
    const body = 'a'.repeat(KEPT_UNREAD_BYTES);
    const { text, closed } = await rawExchange(
      t.ports.public,
      `POST /api/nope HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'GET /hello HTTP/1.1\r\nHost: a\r\n\r\n',
      { waitMs: 1_000 },
    );
    expect({ statuses: statusesOf(text), closed }).toEqual({ statuses: [404, 200], closed: false });
  });

  // CONNECT never reaches Fastify: its 405 is written raw (protocol/protocol.hook.ts), and the
  // socket was destroyed right after it, with what the client sent behind its head unread.
  it.each(['public', 'admin'] as const)(
    '%s port: CONNECT with data sent behind it → the whole 405 is read',
    async (which) => {
      const bytes = LINGER_BYTES / 2;
      const head = `CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: ${bytes}\r\n\r\n`;
      const upload = await uploadThenRead(t.ports[which], head, bytes, { piece: PLAIN, tail: '' });
      expect({ error: upload.error, ...answerOf(upload.text) }).toMatchObject({
        error: undefined,
        status: 405,
        type: 'application/problem+json; charset=utf-8',
        complete: true,
        code: 'METHOD_NOT_ALLOWED',
      });
    },
  );

  // Bounded: a client that never stops sending holds the socket LINGER_MS past its answer, and
  // costs no more than LINGER_BYTES read. The deadline (30 s here) would close it otherwise. The
  // client keeps its side open after the server's FIN (allowHalfOpen): by default Node's socket
  // ends its side on a FIN, and that close, not the bound, ended the connection.
  it('a client that keeps trickling its body after the 415 is closed by the linger bound', async () => {
    const socket = connect({ port: t.ports.public, host: '127.0.0.1', allowHalfOpen: true });
    let finReceived = false;
    socket.once('end', () => (finReceived = true));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(head('POST /api/items', 'text/plain'));
    const trickle = setInterval(() => socket.writable && socket.write('1\r\na\r\n'), 20);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
    }
    expect(answerOf(text)).toMatchObject({ status: 415, complete: true });
    // The answer came with a FIN; the client never ended its side, so the server closed it.
    expect(finReceived).toBe(true);
    expect(socket.writableEnded).toBe(false);
  });

  it('a client that streams without end is closed once LINGER_BYTES more are read', async () => {
    const server = t.app.getHttpServer() as Server;
    const serverSide = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const socket = connect(t.ports.public, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(head('POST /api/items', 'text/plain'));
    void (async () => {
      while (!socket.destroyed) if (!socket.write(CHUNK)) await waitForDrain(socket);
    })();
    const read = await serverSide.then(
      (s) => new Promise<number>((resolve) => s.once('close', () => resolve(s.bytesRead))),
    );
    await closed;
    // One read past the bound at most (a read is at most 64 KiB); the first chunk before it.
    expect(read).toBeGreaterThan(LINGER_BYTES);
    expect(read).toBeLessThan(LINGER_BYTES + 4 * CHUNK.length);
  });

  it('both listeners keep serving', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(200);
  });
});
