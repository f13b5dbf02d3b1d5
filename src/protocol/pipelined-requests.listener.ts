import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';

/**
 * A request listener that begins a pipelined request (RFC 9112 §9.3.2) only once the answer ahead
 * of it on its connection has been written. Node parses every request of a packet at once and
 * calls the listener for each; an answer behind an unfinished one has no socket yet and was kept
 * in memory until that one was written. One connection sending 2,000 `GET /metrics` in one go
 * ran them all at once, held ~500 MB of answers and stalled the public port for 11 s
 * (test/e2e/pipelined-requests.e2e-spec.ts).
 *
 * Node gives a waiting answer the socket (`assignSocket`, which emits 'socket') when the one
 * ahead of it has finished, that is, once its last write to the socket completed: so a
 * connection runs one request at a time, and none while its client reads nothing. The answer
 * that has the socket at once, every request not pipelined, is begun as before, with no listener
 * added. A connection closed meanwhile never gives its waiting answers the socket: those requests
 * are never begun.
 */
export function answeredInTurn(listener: RequestListener): RequestListener {
  return (req, res) => {
    if (res.socket !== null) listener(req, res);
    else res.once('socket', () => listener(req, res));
  };
}

/** The options Fastify hands its serverFactory, defaults resolved (fastify.js). */
export interface FactoryOptions {
  http?: ServerOptions;
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout?: number;
}

/**
 * What Fastify's own factory builds for an HTTP/1 server (lib/server.js), its listener answering
 * pipelined requests in turn. `wrap` puts another layer between (the public port's admission).
 */
export function inTurnServerFactory(
  wrap: (listener: RequestListener) => RequestListener = (listener) => listener,
) {
  return (handler: RequestListener, options: unknown): Server => {
    const resolved = options as FactoryOptions;
    const server = createServer(resolved.http ?? {}, answeredInTurn(wrap(handler)));
    server.keepAliveTimeout = resolved.keepAliveTimeout;
    server.requestTimeout = resolved.requestTimeout;
    server.setTimeout(resolved.connectionTimeout ?? 0);
    return server;
  };
}
