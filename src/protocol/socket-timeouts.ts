import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { AppConfig } from '../config/config.schema.js';
import { isSilent } from '../errors/client-error.reply.js';

/** Why rampart closed a connection the client was too slow with (or left idle). */
export type TimeoutPhase = 'headers' | 'body' | 'send' | 'idle';

/**
 * The three timeouts that close sockets on the public port (the admin port takes the first two),
 * sized for a pod behind an ingress:
 * 1. headers: HTTP_HEADERS_TIMEOUT_MS (10 s) from the first byte of a request → 408
 *    problem+json and close (Node's `headersTimeout`, answered by errors/client-error.reply.ts);
 *    from the connect for a connection that sends nothing (a browser's unused preconnection):
 *    closed with no answer, counted as `idle`, there being no request to answer;
 * 2. body: the request deadline (REQUEST_TIMEOUT_MS) — a body still arriving then gets a 408
 *    problem+json and the connection is closed after it (http/request-state.hook.ts). Node's
 *    `requestTimeout` is set to headers + deadline, never before that 408, as the backstop for a body that keeps
 *    trickling after an early answer (401, 413, 415): 408 and close; an answer the client has not
 *    taken by the deadline (it stopped reading) closes the connection too (`send`,
 *    http/request-state.hook.ts);
 * 3. idle: HTTP_KEEP_ALIVE_TIMEOUT_MS (75 s) between requests, above the 60 s idle timeout of
 *    common proxies so the proxy, not us, closes a pooled connection first (nodejs/node#20256).
 * Since Node 18 `headersTimeout` runs from the first byte of each request, not from the
 * connection's start, so it no longer has to exceed keepAliveTimeout (the nodejs/node#27363
 * workaround this replaces): a kept-alive socket idle for longer than it is not cut.
 * `server.timeout` (Fastify's connectionTimeout) stays 0: it would also cut a slow handler's
 * silent socket, which the request deadline already bounds.
 */
export function socketTimeoutOptions(config: AppConfig): {
  requestTimeout: number;
  http: Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'>;
} {
  const requestTimeout = config.HTTP_HEADERS_TIMEOUT_MS + config.REQUEST_TIMEOUT_MS;
  return {
    // Fastify writes its own requestTimeout (default 0: none) onto the server after creating it.
    requestTimeout,
    http: {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout,
      connectionsCheckingInterval: config.HTTP_TIMEOUT_CHECK_INTERVAL_MS,
    },
  };
}

/**
 * Counts the closes Node makes on its own: header and request timeouts reach 'clientError' as
 * ERR_HTTP_REQUEST_TIMEOUT (lib/_http_server.js onRequestTimeout); keep-alive expiry reaches
 * 'timeout'. Listening to 'timeout' makes closing the socket ours, as Node's docs for the event
 * say. The closes at the deadline (body, send) are counted where they happen (request-state.hook.ts).
 */
export function countSocketTimeouts(server: Server, count: (phase: TimeoutPhase) => void): void {
  // Prepended so the count sees the socket before the answering handler destroys it.
  server.prependListener('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return;
    if (isSilent(error, socket)) return count('idle');
    // A request whose headers were read and whose body is incomplete: the same test Node's own
    // socketOnTimeout makes (`parser.incoming`, `!req.complete`).
    const incoming = (socket as Socket & { parser?: { incoming?: { complete: boolean } | null } })
      .parser?.incoming;
    count(incoming && !incoming.complete ? 'body' : 'headers');
  });
  server.on('timeout', (socket: Socket) => {
    count('idle');
    socket.destroy();
  });
}
