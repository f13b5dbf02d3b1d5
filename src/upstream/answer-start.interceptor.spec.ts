import { Pool, type Dispatcher } from 'undici';
import { RawBackend } from '../../test/support/raw-backend.js';
import { answerStartInterceptor, isHeadCutShortError } from './answer-start.interceptor.js';

describe('answerStartInterceptor: a connection broken once the backend began its answer', () => {
  let backend: RawBackend;
  let pool: Dispatcher;

  beforeAll(async () => {
    backend = await new RawBackend().start();
    pool = new Pool(backend.url).compose(answerStartInterceptor);
  });
  afterAll(async () => {
    await pool.destroy();
    await backend.close();
  });

  /** What one GET rejects with, its body read to the end. */
  const failure = async (bytes: string): Promise<unknown> => {
    backend.behaviour = (socket) => socket.end(bytes);
    try {
      const res = await pool.request({ method: 'GET', path: '/' });
      await res.body.text();
    } catch (error) {
      return error;
    }
    throw new Error('the request succeeded');
  };

  it.each([
    ['a status line cut off', 'HTTP/1.1 20'],
    ['a status line without the end of its head', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n'],
    ['a 1xx interim answer and nothing after it', 'HTTP/1.1 103 Early Hints\r\n\r\n'],
  ])('%s: a HeadCutShortError, carrying the connection error', async (_name, bytes) => {
    const error = await failure(bytes);
    expect(isHeadCutShortError(error)).toBe(true);
    expect(error).toMatchObject({ networkCode: 'UND_ERR_SOCKET' });
    expect((error as Error).message).toContain('other side closed');
  });

  it('closed before a byte of an answer: the connection error as undici reports it', async () => {
    const error = await failure('');
    expect(isHeadCutShortError(error)).toBe(false);
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it("closed after the final head: the body fails with undici's error, for the client to read", async () => {
    const error = await failure('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    expect(isHeadCutShortError(error)).toBe(false);
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('not HTTP: the parser error, untouched', async () => {
    const error = await failure('hello\r\n\r\n');
    expect(isHeadCutShortError(error)).toBe(false);
    expect(error).toMatchObject({ name: 'HTTPParserError' });
  });

  it('a whole answer passes through as it came', async () => {
    backend.behaviour = (socket) =>
      socket.end('HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    const res = await pool.request({ method: 'GET', path: '/' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
  });
});
