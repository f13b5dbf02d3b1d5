// Node built-ins only, besides types: the probe thread loads this file into a module graph of its
// own (LINGERING_CLOSE_MODULE), where nothing of rampart's is loaded and, under the tests, Node
// reads the .ts itself, stripping its types.
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Where a thread of its own imports this module from (health/probe.worker.ts, whose answers close
 * as the other ports' do): this file under tsc's output and in the sources the tests run, and in
 * the bundle, where this code sits in a shared chunk, the entry scripts/bundle.mjs makes of it
 * beside that chunk (a chunk's exports are named as esbuild pleases).
 */
export const LINGERING_CLOSE_MODULE = new URL(
  `./lingering-close${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`,
  import.meta.url,
).href;

/**
 * How long a connection is read on after the answer that closes it, at most. A client that reads
 * while it uploads stops within a round trip of the answer; 2 s is Apache's per-read linger
 * (`SECONDS_TO_LINGER`), and the most a hostile client holds the socket past its answer.
 */
export const LINGER_MS = 2_000;

/**
 * How much of the refused upload is read (and thrown away) in that time, at most: what a 10 Gb/s
 * link carries in ~5 ms, so a client across a LAN or a node's loopback is still sending when
 * it reads the answer, while a client that will not stop costs no more than this to ignore.
 */
export const LINGER_BYTES = 8 * 1024 * 1024;

const lingering = new WeakSet<Socket>();

/**
 * Whether `socket` is closing as closeLingering has it: what its parser says about the bytes
 * after the answer (the client ending the refused body early) is no new fault
 * (client-error.reply.ts).
 */
export function isLingering(socket: Socket): boolean {
  return lingering.has(socket);
}

/**
 * Has Node's close after `req`'s answer (`socket.destroySoon`, lib/_http_server.js resOnFinish)
 * linger if `req`'s body is still unread by then: an answer with `Connection: close`, or a final
 * status to a client still waiting for `100 Continue`, which Node closes. An answer that keeps the
 * connection is not affected: Node reads the rest of the body away itself.
 */
export function lingerIfUnread(req: IncomingMessage): void {
  const socket = req.socket as Socket | null;
  if (!socket || req.complete) return;
  socket.destroySoon = function (this: Socket): void {
    if (req.complete) Socket.prototype.destroySoon.call(this);
    else closeLingering(this);
  };
}

/**
 * An answer that closes its connection before the request's bytes are all read (a body refused
 * before its end, an `Expect: 100-continue` answered without the 100, framing that cannot be
 * trusted) leaves the client uploading. Closing a socket with unread bytes sends a TCP reset, and
 * a client still writing its body meets the reset on its next write (EPIPE, ECONNRESET) and is
 * destroyed before it reads the answer waiting in its buffer: it saw a reset, never the status.
 * So such a connection is closed as Apache's and nginx's lingering close does (RFC 9112 §9.6: a
 * server closing a connection should half-close first): the answer, then a FIN, then what still
 * arrives is read and thrown away until the client closes, for at most LINGER_MS and
 * LINGER_BYTES; only then is the socket destroyed.
 */
export function closeLingering(socket: Socket): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  // What follows the refused request's start is never parsed: not as body, not as a next request.
  for (const listener of socket.listeners('data')) socket.off('data', listener as () => void);
  socket.end();
  let read = 0;
  const destroy = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(destroy, LINGER_MS);
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) destroy();
  });
  socket.once('end', destroy);
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}

/**
 * Any answer sent while its request's body is still arriving, on a connection Node then closes,
 * lingers: a body the parser refuses before its end (415 at its first chunk, 413 past the limit,
 * answered with `Connection: close` because the rest would be read as the next request), and an
 * answer to a client that asked for the close itself (`Connection: close`, HTTP/1.0), say a 404
 * or 405 to an upload. Closed at once, the client still uploading met a reset before it read the
 * answer. `onSend` (every answer, errors included) rather than `onError`, which saw only the
 * parser's refusals; a request whose body is read costs one property read. An unread body too
 * large to read away on a kept connection closes it (KEPT_UNREAD_BYTES).
 */
export function registerLingeringClose(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const req = request.raw;
    if (!req.complete) {
      if (announcesBodyOver(req, KEPT_UNREAD_BYTES)) reply.header('connection', 'close');
      lingerIfUnread(req);
    }
    done(null, payload);
  });
}

/**
 * The most of an unread body a kept connection reads away after the answer: Node reads a body
 * the route never took (a 404, 405 or 429 to an upload) to its end before the next request, so
 * a client announcing gigabytes, or a chunked body without end, held the connection and the CPU
 * that reads it until the request deadline. Past this, or when the length is not announced
 * (chunked), the answer closes the connection instead, lingering within LINGER_BYTES. 64 KiB:
 * a small form or JSON body, already in the socket's buffers, costs less to read than a new
 * connection costs the client.
 */
export const KEPT_UNREAD_BYTES = 64 * 1024;

/**
 * Whether `req` announces a body of more than `bytes`: by its Content-Length, or of a length
 * it does not announce (any Transfer-Encoding). Also the probe thread's test for a body at all
 * (health/probe.linger.ts, `bytes` 0).
 */
export function announcesBodyOver(req: IncomingMessage, bytes: number): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  // Neither header: no body. A Content-Length that is not a number was refused before (400).
  return Number(req.headers['content-length'] ?? 0) > bytes;
}
