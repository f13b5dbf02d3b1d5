import { LINGER_BYTES } from '../../src/errors/lingering-close.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { answerOf, CHUNK, PLAIN, uploadThenRead } from '../support/upload-client.js';

/** Bytes that are no chunk size: what follows a good chunk in the last case below. */
const JUNK = Buffer.alloc(64 * 1024, 'z');

/**
 * A request whose framing is refused (400 BAD_REQUEST: Node's parser for a Content-Length it
 * cannot trust or a bad chunk, protocol.checks.ts for a Transfer-Encoding other than chunked)
 * is answered and its connection closed, the rest of its bytes never read: the client may still
 * be sending the body it framed. Closing a socket with that upload unread is a TCP reset, and a
 * client still writing met it before it read its answer.
 */
describe('an upload refused for its framing: the client reads its answer, not a reset', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A long deadline, so what closes the connection is the answer, not the request deadline's 408.
    t = await startTestApp({ REQUEST_TIMEOUT_MS: '30000' });
  });
  afterAll(() => t.close());

  const BYTES = LINGER_BYTES / 2;
  const chunked = { piece: CHUNK, tail: '0\r\n\r\n' };
  const plain = { piece: PLAIN, tail: '' };
  const junk = { piece: JUNK, tail: '' };

  // What follows Content-Type: the framing headers, the blank line, any body sent with them.
  it.each([
    [
      'public',
      'Content-Length and chunked',
      `Content-Length: ${BYTES}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      chunked,
    ],
    [
      'admin',
      'Content-Length and chunked',
      `Content-Length: ${BYTES}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      chunked,
    ],
    ['public', 'a Content-Length that is no number', 'Content-Length: 4e6\r\n\r\n', plain],
    [
      'public',
      'two Content-Lengths',
      `Content-Length: ${BYTES}\r\nContent-Length: ${BYTES + 1}\r\n\r\n`,
      plain,
    ],
    ['public', 'a coding other than chunked', 'Transfer-Encoding: gzip, chunked\r\n\r\n', chunked],
    ['admin', 'a coding other than chunked', 'Transfer-Encoding: gzip, chunked\r\n\r\n', chunked],
    [
      'public',
      'a bad chunk size after a good chunk',
      'Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n',
      junk,
    ],
  ] as const)(
    '%s port: %s, the body streamed after the headers → the whole 400 is read',
    async (which, _what, framing, body) => {
      const line = which === 'admin' ? 'PUT /chaos' : 'POST /api/items';
      const upload = await uploadThenRead(
        t.ports[which],
        `${line} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n${framing}`,
        BYTES,
        body,
      );
      expect({ error: upload.error, ...answerOf(upload.text) }).toEqual({
        error: undefined,
        status: 400,
        connection: 'close',
        type: 'application/problem+json; charset=utf-8',
        complete: true,
        code: 'BAD_REQUEST',
      });
    },
  );

  it('both listeners keep serving', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(200);
  });
});
