import { LINGER_BYTES } from '../../src/errors/lingering-close.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { answerOf, CHUNK, PLAIN, uploadThenRead } from '../support/upload-client.js';

/**
 * A request with `Expect: 100-continue` refused before its body (errors/expect.reply.ts: 413 for
 * a declared length past the limit, 417 for another expectation; or a route's own refusal before
 * anything reads the body) is answered without the 100 and the connection closed. RFC 9110
 * §10.1.1 lets the client send its body without waiting for the 100: closing a socket with that
 * upload unread is a TCP reset, and the client met it before it read its answer.
 */
describe('a refused upload behind Expect: the client reads its answer, not a reset', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A long deadline, so what closes the connection is the answer, not the request deadline's 408.
    t = await startTestApp({ HTTP_BODY_LIMIT_BYTES: '1024', REQUEST_TIMEOUT_MS: '30000' });
  });
  afterAll(() => t.close());

  const BYTES = LINGER_BYTES / 2;
  // A declared length past the limit is refused from the headers; a chunked body's size is
  // known only as it arrives, so a route's refusal comes first.
  const FRAMING = {
    length: { header: `Content-Length: ${BYTES}`, body: { piece: PLAIN, tail: '' } },
    chunked: { header: 'Transfer-Encoding: chunked', body: { piece: CHUNK, tail: '0\r\n\r\n' } },
  };

  it.each([
    [
      'public',
      'POST /api/items',
      'application/json',
      'length',
      '100-continue',
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['admin', 'PUT /chaos', 'application/json', 'length', '100-continue', 413, 'PAYLOAD_TOO_LARGE'],
    ['public', 'POST /api/items', 'application/json', 'length', 'foo', 417, 'EXPECTATION_FAILED'],
    [
      'public',
      'POST /api/items',
      'application/json',
      'chunked',
      '100-continue, foo',
      417,
      'EXPECTATION_FAILED',
    ],
    ['admin', 'PUT /chaos', 'application/json', 'chunked', 'foo', 417, 'EXPECTATION_FAILED'],
    // Refused before anything reads the body: Node closes the connection after a final status
    // that had no 100 before it.
    ['public', 'POST /api/nope', 'application/json', 'chunked', '100-continue', 404, 'NOT_FOUND'],
    [
      'public',
      'POST /api/items',
      'text/plain',
      'chunked',
      '100-continue',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ] as const)(
    '%s port: %s (%s, %s, Expect: %s), the body sent without waiting → the whole %d is read',
    async (which, line, type, framing, expectation, status, code) => {
      const { header, body } = FRAMING[framing];
      const upload = await uploadThenRead(
        t.ports[which],
        `${line} HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\n${header}\r\n` +
          `Expect: ${expectation}\r\n\r\n`,
        BYTES,
        body,
      );
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

  it('both listeners keep serving', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(200);
  });
});
