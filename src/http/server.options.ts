import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import type { AdmissionListener } from '../admission/admission.listener.js';
import type { AppConfig } from '../config/config.schema.js';
import { answerClientError } from '../errors/client-error.reply.js';
import { requestIdFrom } from '../request-context/request-id.js';
import { trustProxyOption } from './proxy-trust.js';
import { socketTimeoutOptions } from '../protocol/socket-timeouts.js';
import { frameworkErrorReply } from '../protocol/protocol.checks.js';
import { withEmptyPathAsSlash } from '../protocol/request-target.js';
import { inTurnServerFactory } from '../protocol/pipelined-requests.listener.js';

/**
 * Fastify options for the public listener; each number comes from the config table. The Node
 * server is built here (serverFactory): pipelined requests are answered in turn
 * (protocol/pipelined-requests.listener.ts), and with `admission` admission runs at the raw
 * request listener, before Fastify builds a request (admission/admission.listener.ts).
 */
export function publicServerOptions(
  config: AppConfig,
  admission?: AdmissionListener,
): FastifyHttpOptions<Server> {
  const timeouts = socketTimeoutOptions(config);
  return {
    // A request waiting behind an answer on its connection is not admitted: it holds no slot.
    serverFactory: inTurnServerFactory(admission && ((handler) => admission.wrap(handler))),
    logger: false, // one pino logger for the process (src/logging), access log in http.hooks.ts
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    // Fastify's default, 100 characters, answered a 101-character counter name or item id 414
    // URI_TOO_LONG, which no route documents, where the route's validation answers 400 naming
    // the field. The request line is bounded anyway: Node refuses one over 16 KiB with the
    // headers (431).
    routerOptions: { maxParamLength: 8_192 },
    // `GET http://host?q` is `/` with its query, as RFC 9110 reads an empty path; Nest's adapter
    // answered it 404 when the query held a `/` (protocol/request-target.ts).
    rewriteUrl: (req) => withEmptyPathAsSlash(req.url ?? '/'),
    // Must outlive the load balancer's idle timeout, or it reuses a socket we just closed (502s).
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
    // request.ip is the real client behind the ingress (TRUST_PROXY, proxy-trust.ts).
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    // While closing (shutdown step 3), idle sockets are closed and in-flight requests finish.
    // A request that still arrives on a kept-alive socket is served, with `Connection: close`:
    // Fastify's own answer was a bare JSON 503 (no code, request id, Retry-After, log line or
    // metric), 20-40 of them in a burst through SIGTERM, for work the pod could still do.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Errors Fastify raises before routing (a malformed URL such as `/%`) skip the error handler
    // and every hook: without this they would leave as Fastify's own JSON, not problem+json, and
    // without the protocol checks that come first on every port (protocol/protocol.checks.ts).
    frameworkErrors: frameworkErrorReply(),
    // Requests Node's parser rejects before any request exists (bad framing, header flood,
    // header/request timeout) get problem+json too (errors/client-error.reply.ts).
    clientErrorHandler: answerClientError,
    // Header, body and idle timeouts that close sockets (protocol/socket-timeouts.ts).
    requestTimeout: timeouts.requestTimeout,
    // A missing Host is answered by protocol.checks.ts in problem+json; Node's own check would
    // answer it with an empty 400.
    http: { requireHostHeader: false, ...timeouts.http },
  };
}
