import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import type { AppConfig } from '../config/config.schema.js';
import { answerClientError } from '../errors/client-error.reply.js';
import { sendProblem } from '../errors/problem.reply.js';
import { requestIdFrom } from '../request-context/request-context.hook.js';
import { trustProxyOption } from './proxy-trust.js';
import { socketTimeoutOptions } from './socket-timeouts.js';

/** Fastify options for the public listener; each number comes from the config table. */
export function publicServerOptions(config: AppConfig): FastifyHttpOptions<Server> {
  const timeouts = socketTimeoutOptions(config);
  return {
    logger: false, // one pino logger for the process (src/logging), access log in http.hooks.ts
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    // Must outlive the load balancer's idle timeout, or it reuses a socket we just closed (502s).
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
    // request.ip is the real client behind the ingress (TRUST_PROXY, proxy-trust.ts).
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    // While closing, new requests on kept-alive sockets get 503 and idle sockets are closed;
    // in-flight requests finish (shutdown step 3).
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors Fastify raises before routing (a malformed URL such as `/%`) skip the error handler:
    // without this they would leave as Fastify's own JSON, not problem+json.
    frameworkErrors: (error, request, reply) => sendProblem(reply, request, error),
    // Requests Node's parser rejects before any request exists (bad framing, header flood,
    // header/request timeout) get problem+json too (errors/client-error.reply.ts).
    clientErrorHandler: answerClientError,
    // Header, body and idle timeouts that close sockets (socket-timeouts.ts).
    requestTimeout: timeouts.requestTimeout,
    // A missing Host is answered by protocol.hook.ts in problem+json; Node's own check would
    // answer it with an empty 400.
    http: { requireHostHeader: false, ...timeouts.http },
  };
}
