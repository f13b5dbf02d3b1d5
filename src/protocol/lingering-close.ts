import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { leaveUnanswered } from '../errors/client-error.reply.js';

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

/**
 * A body refused before its end — 415 at its first chunk, 413 past the limit, any error of the
 * body parser — is answered with `Connection: close` (Fastify adds it: the rest of the body would
 * be read as the next request), and Node closes the socket once the answer is written
 * (`destroySoon`). The client is still uploading: closing a socket with unread bytes sends a TCP
 * reset, and a client still writing its body meets the reset on its next write (EPIPE,
 * ECONNRESET) and is destroyed before it reads the answer waiting in its buffer: it saw a reset,
 * never the 413 or 415. So such a connection is closed as Apache's and nginx's lingering close
 * does (RFC 9112 §9.6: a server closing a connection should half-close first): the answer, then
 * a FIN, then what still arrives is read and thrown away until the client closes, for at most
 * LINGER_MS and LINGER_BYTES; only then is the socket destroyed. Registered beside the body
 * parser (json.body-parser.ts), whose refusals these are; `onError` runs for errors alone.
 */
export function registerLingeringClose(app: FastifyInstance): void {
  app.addHook('onError', (request, reply, _error, done) => {
    const socket = request.raw.socket as Socket | null;
    if (socket && !request.raw.complete && reply.getHeader('connection') === 'close')
      socket.destroySoon = lingerThenDestroy;
    done();
  });
}

/**
 * Node's last step for an answer that closes its connection (lib/_http_server.js resOnFinish),
 * in place of `Socket.destroySoon` (end, then destroy once written) for this one socket.
 */
function lingerThenDestroy(this: Socket): void {
  // What follows the refused body's start is never parsed: not as body, not as a next request.
  for (const listener of this.listeners('data')) this.off('data', listener as () => void);
  // The parser's complaint when the client ends mid-body is not a new fault to answer.
  leaveUnanswered(this);
  this.end();
  let read = 0;
  const destroy = (): void => {
    clearTimeout(timer);
    this.destroy();
  };
  const timer = setTimeout(destroy, LINGER_MS);
  this.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) destroy();
  });
  this.once('end', destroy);
  this.once('close', () => clearTimeout(timer));
  this.resume();
}
