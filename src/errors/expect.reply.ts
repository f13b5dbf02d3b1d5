import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { logger } from '../logging/logger.js';
import type { RawAnswer } from './client-error.reply.js';
import { cut, pathAsSent } from './client-text.js';
import { lingerIfUnread } from './lingering-close.js';
import { buildProblem, PROBLEM_CONTENT_TYPE } from './problem.js';
import { requestIdFrom } from '../request-context/request-id.js';

const log = logger.child({ module: 'errors' });

/** Where an answer is counted: the app's problem counts (problem.counts.ts), when attached. */
type Counts = Pick<FastifyInstance, 'problemCounts'> | void;

/**
 * An `Expect` field that names no expectation: empty, or a list of empty elements (`Expect: ,`),
 * which RFC 9110 §5.6.1 says a recipient MUST accept and ignore. The probe thread gets it as
 * workerData (health/probe.server.ts).
 */
export const NO_EXPECTATION = /^[\t ,]*$/;

/**
 * An `Expect` field whose every element is `100-continue` (any case, spaces around it, empty
 * elements ignored as above): the one expectation RFC 9110 §10.1.1 defines. Node sends a request
 * to 'checkContinue' when `100-continue` appears anywhere in the field (lib/_http_server.js,
 * `/(?:^|\W)100-continue(?:$|\W)/i`), so `100-continue, foo` and `x-100-continue` were taken
 * for it and served, where `foo` alone is 417. The probe thread gets it as workerData.
 */
export const ONLY_CONTINUE = /^[\t ,]*100-continue[\t ]*(?:,[\t ]*(?:100-continue[\t ]*)?)*$/i;

/** The answer to an expectation other than 100-continue (RFC 9110 §10.1.1: 417). */
const UNMET_EXPECTATION: RawAnswer = {
  status: 417,
  code: 'EXPECTATION_FAILED',
  detail: 'Only Expect: 100-continue is supported.',
};

/**
 * Node's 'checkExpectation': a request whose `Expect` is not `100-continue` (RFC 9110 §10.1.1:
 * 417). Node's own answer is an empty 417; this one is problem+json like every other refusal, and
 * closes the connection, since the client may send the body it meant to hold back. A field that
 * names no expectation asks nothing: the request goes on to `server`'s request listener as if it
 * had none (Node gave an empty `Expect:` the 417).
 * @param app whose problem counts record the answer
 */
export function answerUnmetExpectation(
  app: Counts,
  server: { emit(event: 'request', req: IncomingMessage, res: ServerResponse): boolean },
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (NO_EXPECTATION.test(req.headers.expect ?? '')) {
      server.emit('request', req, res);
      return;
    }
    answerBeforeBody(app, req, res, UNMET_EXPECTATION);
  };
}

/**
 * Node's 'checkContinue': a request waiting for `100 Continue` before it sends its body. Node
 * sent the 100 at once, so a client uploaded a body that would be refused unread (2 MB sent for
 * a 413, a 415, a 401, a 404). RFC 9110 §10.1.1 lets a server answer the final status instead:
 * a Content-Length over `bodyLimit` is answered 413 here, before any of the body; every other
 * request goes on to `server`'s request listener (on the public port, admission's) and gets its
 * 100 when the body is first read (continueWhenRead). A chunked body's size is unknown until
 * read: the limit applies as it arrives. A field that names another expectation beside
 * 100-continue (ONLY_CONTINUE) is 417 first, as that expectation alone would be.
 */
export function continueUnlessTooLarge(
  app: Counts,
  server: { emit(event: 'request', req: IncomingMessage, res: ServerResponse): boolean },
  bodyLimit: number,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!ONLY_CONTINUE.test(req.headers.expect ?? '')) {
      answerBeforeBody(app, req, res, UNMET_EXPECTATION);
      return;
    }
    const length = req.headers['content-length'];
    if (Number(length) > bodyLimit) {
      answerBeforeBody(app, req, res, {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        detail: `The body's declared ${declaredLength(length!)} bytes exceed the limit of ${bodyLimit}.`,
      });
      return;
    }
    // Without a body nothing is held back: the 100 at once, as Node would (and the connection
    // kept, which Node closes after a final status that had no 100 before it).
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
    if (hasBody) {
      continueWhenRead(req, res);
      // Refused before its body is read (admission, a guard, no route), the answer closes the
      // connection (Node: no 100 before it) while the client may be sending that body.
      lingerIfUnread(req);
    } else res.writeContinue();
    server.emit('request', req, res);
  };
}

/**
 * A Content-Length as a detail names it: without its leading zeros, and cut as the client's text
 * is elsewhere (client-text.ts). llhttp refuses a count past 64 bits but takes any number of
 * zeros before it: named as sent, a 9 KB `Content-Length: 000…0099999999` came back whole in the
 * 413.
 */
function declaredLength(length: string): string {
  return cut(length.replace(/^0+/, ''));
}

const WITHHELD = Symbol('rampart.continueWithheld');
type Withheld = IncomingMessage & { [WITHHELD]?: boolean };

/**
 * Whether `req`'s client holds its body back for a `100 Continue` not sent yet (continueWhenRead):
 * a parser that would read the body only to learn whether there is one asks for the upload.
 */
export function continueWithheld(req: IncomingMessage): boolean {
  return (req as Withheld)[WITHHELD] === true;
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
  (req as Withheld)[WITHHELD] = true;
  const sendContinue = (): void => {
    if ((req as Withheld)[WITHHELD] !== true) return;
    (req as Withheld)[WITHHELD] = false;
    // Node reads what is left of an unread body after the answer (to reuse the connection):
    // a 100 then would follow the final status.
    if (!res.headersSent) res.writeContinue();
  };
  req._read = function (this: IncomingMessage, size: number): void {
    req._read = read;
    sendContinue();
    read.call(this, size);
  };
  // A body that had all arrived before it was read (the client sent it without waiting, and the
  // request waited its turn behind a pipelined one: protocol/pipelined-requests.listener.ts) is
  // read from the stream's buffer, without a `_read`: its 100 once it has been read, before the
  // answer, or Node closed the connection after that answer and the requests behind it were lost.
  req.once('end', sendContinue);
}

/**
 * A problem+json answer to a request whose body was never read, then the connection closed,
 * lingering (lingering-close.ts): RFC 9110 §10.1.1 lets a client send its body without waiting
 * for the 100, and closed at once with that upload arriving, the connection was reset and the
 * client never read the 413 or 417.
 */
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
    buildProblem(answer, { requestId, instance: pathAsSent(req.url ?? '/') }),
  );
  res.writeHead(answer.status, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
    connection: 'close',
  });
  lingerIfUnread(req);
  res.end(body);
}
