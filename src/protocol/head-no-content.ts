import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/** Statuses whose answer never has content, and whose GET Fastify sends without Content-Length. */
const NO_CONTENT = new Set([204, 304]);

/**
 * A HEAD answered 204 or 304 goes out without Content-Length, as its GET does. RFC 9110 §8.6: a
 * server must not send Content-Length with a 204, nor with a 304 unless it is the length of the
 * 200's content. Fastify's HEAD twin of every GET (exposeHeadRoutes, fastify/lib/head-route.js)
 * writes `content-length: 0` for an answer without a body whatever its status, so
 * `HEAD /status/204` and `HEAD /favicon.ico` carried one where their GET did not. The twin's own
 * onSend runs after the instance's hooks, and sets no length for a stream (it drains it and
 * sends nothing): an empty one is handed to it.
 */
export function registerHeadNoContent(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.method !== 'HEAD' || !NO_CONTENT.has(reply.statusCode)) {
      return done(null, payload);
    }
    const stream = payload instanceof Readable;
    done(null, stream ? payload : Readable.from([]));
  });
}
