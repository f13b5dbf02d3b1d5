import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { logger } from '../logging/logger.js';
import { buildProblem, PROBLEM_CONTENT_TYPE } from './problem.js';
import { newRequestId, requestIdFrom } from '../request-context/request-id.js';

const log = logger.child({ module: 'errors' });

export interface RawAnswer {
  status: number;
  code: string;
  detail: string;
}

/**
 * Node's errors for a request it could not read, by the answer each deserves: keyed by the
 * error's code, or by `code: reason` where llhttp's reason decides. The probe port's thread
 * answers from this same table (health/probe.worker.ts gets it as workerData).
 */
export const CLIENT_ERROR_ANSWERS: ReadonlyMap<string, RawAnswer> = new Map<string, RawAnswer>([
  [
    'ERR_HTTP_REQUEST_TIMEOUT',
    { status: 408, code: 'REQUEST_TIMEOUT', detail: 'The request was not received in time.' },
  ],
  [
    'HPE_HEADER_OVERFLOW',
    {
      status: 431,
      code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
      detail: 'The request line and headers are too large.',
    },
  ],
  [
    'HPE_CHUNK_EXTENSIONS_OVERFLOW',
    { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'The chunk extensions are too large.' },
  ],
  // A well-formed version llhttp does not know (`HTTP/1.2`, `HTTP/3.0`): the 505 the protocol
  // hook gives the two it passes (protocol/protocol.hook.ts), so no version is refused 400. Keyed
  // by llhttp's reason too: the same code also means a malformed line (`HTTP/1.1` ended by a bare
  // LF, `HTTP/2` without its minor digit), which stays a 400.
  [
    'HPE_INVALID_VERSION: Invalid HTTP version',
    {
      status: 505,
      code: 'HTTP_VERSION_NOT_SUPPORTED',
      detail: 'Only HTTP/1.1 and HTTP/1.0 are served here.',
    },
  ],
  // The HTTP/2 connection preface (`PRI * HTTP/2.0`), sent by a client assuming h2c.
  [
    'HPE_PAUSED_H2_UPGRADE',
    {
      status: 505,
      code: 'HTTP_VERSION_NOT_SUPPORTED',
      detail: 'HTTP/2 is not served here: send HTTP/1.1.',
    },
  ],
]);

type ClientError = Error & { code?: string; reason?: string };

/** Where a raw answer is counted: the app's problem counts (problem.counts.ts), when attached. */
type Counts = Pick<FastifyInstance, 'problemCounts'> | void;

/**
 * Fastify's `clientErrorHandler`: Node's parser rejected the bytes (bad framing, header flood,
 * header or request timeout) before a request object exists, so no hook, filter or reply runs.
 * The answer is written raw, as Node's own handler does (lib/_http_server.js socketOnError),
 * but as problem+json with a code and a fresh request id; the connection is closed after it,
 * since the stream can no longer be trusted to be framed. Fastify calls it bound to its
 * instance, whose problem counts (the status page's errors by code) it records into.
 */
export function answerClientError(this: Counts, error: ClientError, socket: Socket): void {
  // A reset peer reads nothing (Node's docs for the 'clientError' event).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = CLIENT_ERROR_ANSWERS.get(`${error.code}: ${error.reason}`) ??
    CLIENT_ERROR_ANSWERS.get(error.code ?? '') ?? {
      status: 400,
      code: 'BAD_REQUEST',
      // llhttp's reason ("Invalid header value char") names the fault and carries no request data.
      detail: `The request could not be parsed${error.reason ? `: ${error.reason}` : ''}.`,
    };
  // The parser may report the same socket again (more bytes, the timeout sweep): answer once.
  if (answered.has(socket)) return;
  answered.add(socket);
  this?.problemCounts?.record(answer.code);
  // A pipelined request read before the bad bytes may still be answering. Its answer goes out
  // first and this problem after it: written now, the client would read the problem as the
  // earlier request's answer (a POST that was applied would look refused).
  afterInFlight(socket as HttpSocket, () => {
    writeRawProblem(socket, answer);
    socket.destroy(error);
  });
}

type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };
const answered = new WeakSet<Socket>();

/**
 * Runs `then` once no earlier, completely read request's response is in flight on `socket`
 * (Node hands queued ones on in turn). A response whose request's body failed (bad chunk,
 * body timeout) is not waited for: the problem is its answer.
 */
function afterInFlight(socket: HttpSocket, then: () => void): void {
  const inFlight = socket._httpMessage;
  // Its request not complete: the bad bytes (or the timeout) are its own body's.
  if (!inFlight || socket.destroyed || !inFlight.req?.complete) return then();
  const next = (): void => {
    inFlight.off('finish', next);
    inFlight.off('close', next);
    // Node's own 'finish' listener ran first: it detached this response, assigned the next.
    setImmediate(() => afterInFlight(socket, then));
  };
  inFlight.once('finish', next);
  inFlight.once('close', next);
}

/**
 * Writes a problem+json answer straight to a socket no request object owns, then `connection:
 * close`: the caller destroys the socket. Logged at debug: these are clients' faults.
 */
export function writeRawProblem(
  socket: Socket,
  answer: RawAnswer,
  headers: Record<string, string> = {},
): void {
  const requestId = newRequestId();
  log.debug({ reqId: requestId, code: answer.code }, answer.detail);
  // Like Node: write only if no response has started on this socket.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) return;
  const body = JSON.stringify(buildProblem(answer, { requestId }));
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
      `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\n' +
      `x-request-id: ${requestId}\r\n${extra}` +
      'connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Node's 'checkExpectation': a request whose `Expect` is not `100-continue` (RFC 9110 §10.1.1:
 * 417). Node's own answer is an empty 417; this one is problem+json like every other refusal, and
 * closes the connection, since the client may send the body it meant to hold back.
 * @param app whose problem counts record the answer
 */
export function answerExpectationFailed(
  app: Counts,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  answerBeforeBody(app, req, res, {
    status: 417,
    code: 'EXPECTATION_FAILED',
    detail: 'Only Expect: 100-continue is supported.',
  });
}

/**
 * Node's 'checkContinue': a request waiting for `100 Continue` before it sends its body. Node
 * sent the 100 at once, so a client uploaded a body that would be refused unread (2 MB sent for
 * a 413, a 415, a 401, a 404). RFC 9110 §10.1.1 lets a server answer the final status instead:
 * a Content-Length over `bodyLimit` is answered 413 here, before any of the body; every other
 * request goes on to `server`'s request listener (on the public port, admission's) and gets its
 * 100 when the body is first read (continueWhenRead). A chunked body's size is unknown until
 * read: the limit applies as it arrives.
 */
export function continueUnlessTooLarge(
  app: Counts,
  server: { emit(event: 'request', req: IncomingMessage, res: ServerResponse): boolean },
  bodyLimit: number,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (Number(req.headers['content-length']) > bodyLimit) {
      answerBeforeBody(app, req, res, {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        detail: `The body's declared ${req.headers['content-length']} bytes exceed the limit of ${bodyLimit}.`,
      });
      return;
    }
    // Without a body nothing is held back: the 100 at once, as Node would (and the connection
    // kept, which Node closes after a final status that had no 100 before it).
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
    if (hasBody) continueWhenRead(req, res);
    else res.writeContinue();
    server.emit('request', req, res);
  };
}

/**
 * Sends `100 Continue` when something first reads the request's body, so a request refused
 * before its body is parsed (admission, rate limit, auth, an unknown route, a media type not
 * taken) gets its final status with no upload. Node closes the connection after such an answer
 * (a final status with no 100 before it): the client may send the body all the same
 * (RFC 9110 §10.1.1), and those bytes would be read as the next request.
 */
function continueWhenRead(req: IncomingMessage, res: ServerResponse): void {
  const read = req._read;
  req._read = function (this: IncomingMessage, size: number): void {
    req._read = read;
    // Node reads what is left of an unread body after the answer (to reuse the connection):
    // a 100 then would follow the final status.
    if (!res.headersSent) res.writeContinue();
    read.call(this, size);
  };
}

/** A problem+json answer to a request whose body was never read, then the connection closed. */
function answerBeforeBody(
  app: Counts,
  req: IncomingMessage,
  res: ServerResponse,
  answer: RawAnswer,
): void {
  const requestId = requestIdFrom(req.headers['x-request-id']);
  log.debug({ reqId: requestId, code: answer.code }, answer.detail);
  app?.problemCounts?.record(answer.code);
  const body = JSON.stringify(
    buildProblem(answer, { requestId, instance: (req.url ?? '/').split('?', 1)[0] }),
  );
  res.writeHead(answer.status, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-request-id': requestId,
    connection: 'close',
  });
  res.end(body);
}
