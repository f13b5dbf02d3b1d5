import type { FastifyReply, FastifyRequest } from 'fastify';
import { methodNamed } from '../errors/client-text.js';
import { sendProblem } from '../errors/problem.reply.js';
import { HostHeaderCheck } from './host-header.check.js';
import {
  BadRequestError,
  HttpVersionNotSupportedError,
  RequestTargetError,
} from './protocol.errors.js';
import { targetProblem } from './request-target.js';
import { transferCodingProblem } from './transfer-coding.check.js';

const SLASH = 0x2f;

/**
 * Checks 1 to 3, 6 and 7 of registerProtocolChecks (protocol.hook.ts) for one listener: a
 * function that answers a request they refuse and says whether it did. The public port's adapter
 * also runs them for a request Nest's adapter sends to the not-found handler before these hooks
 * (http/public.adapter.ts), and both listeners for a request the router refused
 * (frameworkErrorReply).
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
    const target = targetProblem(url, methodNamed(request.method));
    if (target !== undefined) {
      sendProblem(reply, request, new RequestTargetError(target));
      return true;
    }
    if (url !== '*') return false;
    // RFC 9112 §3.2.4: `OPTIONS *` asks about the server as a whole (RFC 9110 §9.3.7, a ping).
    // The router matched `*` as `/`: `GET *` on the admin port served its status page, and
    // `OPTIONS *` was 405 with an `Allow` listing `/`'s methods.
    reply.code(204).send();
    return true;
  };
}

/**
 * Fastify's `frameworkErrors` for a listener that runs protocolChecks: Fastify raises these before
 * any hook (FST_ERR_BAD_URL, a target the router cannot read), and they leave as problem+json,
 * after the checks, so a request answers as any other does, and as on the probe port, which runs
 * them in that order: the HTTP version, Host and the target's own rules (request-target.ts)
 * first. The router answered `GET http://a:99999/ HTTP/2.0` 400 where the probe port said 505,
 * and an absolute-form target with a fragment MALFORMED_URL where every other target with one is
 * BAD_REQUEST.
 */
export function frameworkErrorReply(): (
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
) => void {
  const answered = protocolChecks();
  return (error, request, reply) => {
    if (!answered(request, reply)) sendProblem(reply, request, error);
  };
}
