import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { logger } from '../logging/logger.js';
import { closeLingering, isLingering } from './lingering-close.js';
import { buildProblem, PROBLEM_CONTENT_TYPE } from './problem.js';
import { newRequestId } from '../request-context/request-id.js';
import {
  methodNotImplementedDetail,
  RefusedMethodReader,
  type MethodReading,
  type ParserError,
} from './unknown-method.js';

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
  // hook gives the two it passes (protocol/protocol.checks.ts): no version is refused 400. Keyed
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

type ClientError = Error & ParserError & { reason?: string };

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
  // A reset peer reads nothing (Node's docs for the 'clientError' event). The parser may report
  // the same socket again (more bytes, the timeout sweep): answer once.
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  // No byte of a request by the header timeout: no request to answer. Browsers open spare
  // connections ahead of need (preconnect) and leave some unused; a 408 on each was counted
  // among the status page's errors. Closed as an idle connection is (socket-timeouts.ts).
  if (isSilent(error, socket)) return void socket.destroy();
  // Closing after an answer its request's body did not wait for (lingering-close.ts): the
  // client ending that body early is no new fault.
  if (isLingering(socket)) return;
  const method = refusedMethods.read(error, socket);
  // Its end comes in a later packet, which the parser reports here again (unknown-method.ts).
  if (method?.kind === 'unfinished') return;
  const answer = CLIENT_ERROR_ANSWERS.get(`${error.code}: ${error.reason}`) ??
    CLIENT_ERROR_ANSWERS.get(error.code ?? '') ??
    refusedMethodAnswer(method) ?? {
      status: 400,
      code: 'BAD_REQUEST',
      // llhttp's reason ("Invalid header value char") names the fault and carries no request data.
      detail: `The request could not be parsed${error.reason ? `: ${error.reason}` : ''}.`,
    };
  answered.add(socket);
  this?.problemCounts?.record(answer.code);
  // A pipelined request read before the bad bytes may still be answering. Its answer goes out
  // first and this problem after it: written now, the client would read the problem as the
  // earlier request's answer (a POST that was applied would look refused).
  afterInFlight(socket as HttpSocket, () => {
    // Lingering: the client may still be sending the body it framed (lingering-close.ts). No
    // answer written (an earlier one had begun), nothing is owed: closed at once.
    if (writeRawProblem(socket, answer)) closeLingering(socket);
    else socket.destroy(error);
  });
}

/** A header timeout on a connection that never sent a byte (one that did gets its 408). */
export function isSilent(error: { code?: string }, socket: Socket): boolean {
  return error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.bytesRead === 0;
}

/**
 * 501 for a method no route here can have, 431 for one past the header limit (unknown-method.ts);
 * undefined (400) for bytes that are no method. The probe thread answers alike.
 */
function refusedMethodAnswer(reading: MethodReading | undefined): RawAnswer | undefined {
  if (reading?.kind === 'too-long') return CLIENT_ERROR_ANSWERS.get('HPE_HEADER_OVERFLOW');
  if (reading?.kind !== 'method') return undefined;
  return {
    status: 501,
    code: 'METHOD_NOT_IMPLEMENTED',
    detail: methodNotImplementedDetail(reading.method, reading.partial),
  };
}

type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };
const answered = new WeakSet<Socket>();
const refusedMethods = new RefusedMethodReader();

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
 * close`: the caller closes the socket. Logged at debug: these are clients' faults. Says whether
 * it wrote.
 */
export function writeRawProblem(
  socket: Socket,
  answer: RawAnswer,
  headers: Record<string, string> = {},
): boolean {
  const requestId = newRequestId();
  log.debug({ reqId: requestId, code: answer.code }, answer.detail);
  // Like Node: write only if no response has started on this socket.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) return false;
  const body = JSON.stringify(buildProblem(answer, { requestId }));
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
      `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\n' +
      'x-content-type-options: nosniff\r\n' +
      `x-request-id: ${requestId}\r\n${extra}` +
      'connection: close\r\n\r\n' +
      body,
  );
  return true;
}
