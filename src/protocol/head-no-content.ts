import { Readable } from 'node:stream';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  RouteOptions,
} from 'fastify';

/** Statuses whose answer never has content, and whose GET Fastify sends without Content-Length. */
const NO_CONTENT = new Set([204, 304]);

/**
 * A HEAD answered 204 or 304 goes out without Content-Length, as its GET does. RFC 9110 §8.6: a
 * server must not send Content-Length with a 204, nor with a 304 unless it is the length of the
 * 200's content. Fastify's HEAD twin of every GET (exposeHeadRoutes, fastify/lib/head-route.js)
 * writes `content-length: 0` for an answer without a body whatever its status, so
 * `HEAD /status/204` and `HEAD /favicon.ico` carried one where their GET did not. That twin's
 * onSend sets no length for a stream (it drains it and sends nothing): an empty one is handed to
 * it. Added to the HEAD routes only, as they are declared (onRoute), ahead of the twin's own
 * handler: a GET or POST meets no extra hook.
 */
export function registerHeadNoContent(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('HEAD')) return;
    const own = route.onSend === undefined ? [] : [route.onSend].flat();
    route.onSend = [emptyStreamForNoContent as onSendHookHandler, ...own];
  });
}

function emptyStreamForNoContent(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: Error | null, payload?: unknown) => void,
): void {
  if (request.method !== 'HEAD' || !NO_CONTENT.has(reply.statusCode)) return done(null, payload);
  done(null, payload instanceof Readable ? payload : Readable.from([]));
}
