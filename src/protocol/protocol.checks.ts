import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../errors/problem.reply.js';
import { HostHeaderCheck } from './host-header.check.js';
import { BadRequestError, HttpVersionNotSupportedError } from './protocol.errors.js';
import { targetProblem } from './request-target.js';
import { transferCodingProblem } from './transfer-coding.check.js';

const SLASH = 0x2f;

/**
 * Checks 1 to 3, 6 and 7 of registerProtocolChecks (protocol.hook.ts) for one listener: a
 * function that answers a request they refuse and says whether it did. The public port's adapter
 * also runs them for a request Nest's adapter sends to the not-found handler before these hooks
 * (http/public.adapter.ts).
 */
export function protocolChecks(): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const host = new HostHeaderCheck();
  return (request, reply) => {
    const version = request.raw.httpVersion;
    const problem =
      version === '1.1' || version === '1.0'
        ? (host.problem(request.raw.rawHeaders, version) ?? transferCodingProblem(request))
        : new HttpVersionNotSupportedError(version);
    if (problem !== undefined) {
      // The framing of whatever follows on this connection cannot be trusted either. The close
      // lingers (errors/lingering-close.ts, onSend on both listeners): the client may still be
      // sending the body it framed.
      reply.header('connection', 'close');
      const error = typeof problem === 'string' ? new BadRequestError(problem) : problem;
      sendProblem(reply, request, error);
      return true;
    }
    // Node stops parsing a connection after a request that asks to Upgrade (llhttp takes what
    // follows for the new protocol's bytes): a request pipelined behind one was never answered,
    // and the socket sat until a timeout. Nothing here upgrades; answered, the connection closes.
    if (request.headers.upgrade !== undefined) reply.header('connection', 'close');
    const url = request.url;
    if (url.charCodeAt(0) === SLASH && url.indexOf('#') === -1) return false;
    if (url === '*') {
      answerAsterisk(request, reply);
      return true;
    }
    const target = targetProblem(url);
    if (target === undefined) return false;
    sendProblem(reply, request, new BadRequestError(target));
    return true;
  };
}

/**
 * RFC 9112 §3.2.4: the asterisk-form target is only for OPTIONS, asking about the server as a
 * whole (RFC 9110 §9.3.7, a ping): 204. With any other method it names nothing: 400. The router
 * matched `*` as `/`, so `GET *` on the admin port served its status page, and `OPTIONS *` was
 * 405 with an `Allow` listing `/`'s methods.
 */
function answerAsterisk(request: FastifyRequest, reply: FastifyReply): void {
  if (request.method === 'OPTIONS') return void reply.code(204).send();
  sendProblem(
    reply,
    request,
    new BadRequestError(`The target * is only for OPTIONS, not ${request.method}.`),
  );
}
