import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorCodes } from 'fastify';

/**
 * The framing a chunked body may add to its data on the wire, over the body limit: the head's
 * first read (up to 64 KiB, counted from there), and chunk sizes and extensions as large as the
 * data. A client whose chunks average more than ~8 bytes of data stays under it at any body size.
 */
const LEAST_FRAMING_ALLOWANCE = 64 * 1024;

/** The socket's parser as Node's HTTP server (lib/_http_server.js) leaves it, read defensively. */
interface ServerParser {
  incoming?: IncomingMessage | null;
  [key: number]: unknown;
}

/**
 * Counts a chunked body's bytes on the wire against the listener's body limit, not only its data:
 * `bodyLimit` plus as much again (at least 64 KiB) of sizes and extensions, then 413 as soon as
 * that is crossed. llhttp reads a chunk size of any number of leading zeros and Node bounds only
 * one chunk's extensions (16 KiB), and neither gives the application a byte of data: a client
 * sending `POST /api/items` then `000…` without end was read at ~350 MB/s until the request
 * deadline (408 after 30 s, ~10 GB), and the admin port's `PUT /chaos` until Node's request
 * timeout; one sending one data byte per 16 KiB of extensions had 16 GiB read before the 413.
 *
 * Node hands the parser each read of the socket and calls the parser's `kOnExecute` after it
 * (onParserExecute): the only moment JavaScript sees bytes the parser turned into nothing. Wrapped
 * per connection, once Node's own connection listener has set it; a parser reused for another
 * connection is given Node's callback again first. A body whose reader has not started yet (a
 * handler that never reads it, a request queued for admission) is refused at the first read after
 * one starts; the reader (Fastify's body parser, protocol/request-content.ts) answers the error as
 * it answers the body limit's own: 413 PAYLOAD_TOO_LARGE, the connection closed lingering.
 */
export function boundChunkedFraming(server: Server, bodyLimit: number): void {
  const wireLimit = bodyLimit + Math.max(bodyLimit, LEAST_FRAMING_ALLOWANCE);
  server.on('connection', (socket: Socket) => {
    const parser = (socket as Socket & { parser?: ServerParser | null }).parser;
    const key = (parser?.constructor as { kOnExecute?: unknown } | undefined)?.kOnExecute;
    if (!parser || typeof key !== 'number') return;
    const onExecute = parser[key];
    if (typeof onExecute !== 'function') return;
    let request: IncomingMessage | undefined;
    let start = 0;
    let refused = false;
    // Node calls it with one argument (onParserExecute's `ret`, its bound ones before): a rest
    // parameter would make an array on every read of every connection.
    parser[key] = function (this: unknown, ret: unknown): unknown {
      const incoming = parser.incoming;
      if (incoming && !incoming.complete && incoming.headers['transfer-encoding'] !== undefined) {
        if (incoming !== request) {
          request = incoming;
          start = socket.bytesRead;
          refused = false;
        } else if (!refused && socket.bytesRead - start > wireLimit && reading(incoming)) {
          refused = true;
          incoming.emit('error', new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        }
      }
      return (onExecute as (ret: unknown) => unknown).call(this, ret);
    };
  });
}

/** Whether a reader of `req`'s body listens for its errors: emitted with none, one would throw. */
function reading(req: IncomingMessage): boolean {
  return req.listenerCount('error') > 0 && req.listenerCount('data') > 0;
}
