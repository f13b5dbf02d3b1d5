import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app.error.js';
import { writeRawProblem } from '../errors/client-error.reply.js';
import { cut } from '../errors/http.errors.js';
import { sendProblem } from '../errors/problem.reply.js';
import { HostHeaderCheck } from './host-header.check.js';
import {
  BadRequestError,
  HttpVersionNotSupportedError,
  MethodNotAllowedError,
} from './protocol.errors.js';
import { originForm, targetProblem } from './request-target.js';

/** Methods a route here can have; HEAD comes with every GET (Fastify's exposeHeadRoutes). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

/**
 * Request checks llhttp leaves to the application, answered in problem+json before any body is
 * read (so a method or Host problem wins over a 413 or 415):
 * 1. an HTTP version other than 1.1 or 1.0 → 505 (RFC 9110 §15.6.6). llhttp refuses most
 *    (`HTTP/1.2`: errors/client-error.reply.ts answers the same 505) but passes `HTTP/2.0` and a
 *    request line without a version (HTTP/0.9), which were served, a POST's item stored;
 * 2. Host: absent on HTTP/1.1, repeated, or not a host[:port] → 400 (host-header.check.ts). The
 *    listener must be built with `requireHostHeader: false`, or Node answers the missing-Host
 *    case itself with an empty 400;
 * 3. Transfer-Encoding other than `chunked` → 400 (llhttp lets it through);
 *    these three close the connection;
 * 4. no route: a path that exists with other methods → 405 with `Allow` (RFC 9110 §15.5.6);
 *    otherwise 404. Fastify answers both with 404. With rate limiting on, a hook of its own
 *    (`unrouted: 'later'`, then registerRouteChecks after http/rate-limit.hook.ts), so a limited
 *    client's 404s and 405s are refused 429 like its other requests; 1 to 3 come before the
 *    limiter, as a 429 left on a connection whose framing is in doubt would keep it open.
 *    Otherwise in the same hook: one hook fewer on every request;
 * 5. CONNECT (a tunnel request) never reaches Fastify, and with no 'connect' listener Node closes
 *    the socket without a word. Nothing here is a proxy: 405 with an empty Allow (§10.2.1);
 * 6. the `*` target (answerAsterisk): 204 to OPTIONS, 400 to any other method;
 * 7. a target with a fragment, with userinfo, or neither a path nor a URL (`*hello`) → 400
 *    (request-target.ts). Only a target that does not start with `/` or holds a `#` is looked at:
 *    the common request pays one comparison and one indexOf.
 */
export function registerProtocolChecks(
  app: FastifyInstance,
  unrouted: 'here' | 'later' = 'here',
): void {
  app.server.on('connect', (_request, socket: Socket) => {
    app.problemCounts?.record('METHOD_NOT_ALLOWED');
    writeRawProblem(
      socket,
      { status: 405, code: 'METHOD_NOT_ALLOWED', detail: 'CONNECT is not supported.' },
      { allow: '' },
    );
    socket.destroy();
  });
  const answered = protocolChecks();
  app.addHook('onRequest', (request, reply, done) => {
    if (answered(request, reply)) return;
    if (unrouted === 'here' && answeredUnrouted(request, reply)) return;
    done();
  });
}

/**
 * Checks 1 to 3, 6 and 7 of registerProtocolChecks for one listener: a function that answers a
 * request they refuse and says whether it did. The public port's adapter also runs them for a
 * request Nest's adapter sends to the not-found handler before these hooks
 * (http/public.adapter.ts).
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
      // The framing of whatever follows on this connection cannot be trusted either.
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
    if (url === '*') {
      answerAsterisk(request, reply);
      return true;
    }
    const target = targetProblem(url);
    if (target === undefined) return false;
    sendProblem(reply, request, new BadRequestError(target));
    return true;
  };
}

/**
 * RFC 9112 §3.2.4: the asterisk-form target is only for OPTIONS, asking about the server as a
 * whole (RFC 9110 §9.3.7, a ping): 204. With any other method it names nothing: 400. The router
 * matched `*` as `/`, so `GET *` on the admin port served its status page, and `OPTIONS *` was
 * 405 with an `Allow` listing `/`'s methods.
 */
function answerAsterisk(request: FastifyRequest, reply: FastifyReply): void {
  if (request.method === 'OPTIONS') return void reply.code(204).send();
  sendProblem(
    reply,
    request,
    new BadRequestError(`The target * is only for OPTIONS, not ${request.method}.`),
  );
}

/** Check 4 of registerProtocolChecks in a hook of its own, for `unrouted: 'later'`. */
export function registerRouteChecks(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (!answeredUnrouted(request, reply)) done();
  });
}

/**
 * Check 4: a redirect, 405 with `Allow` or 404 for a request no route matched, or matched only
 * with an empty parameter (Nest's adapter refuses those: `requireNonEmptyParams`); false if routed.
 */
function answeredUnrouted(request: FastifyRequest, reply: FastifyReply): boolean {
  // `/docs/` matches `/docs/:asset` with an empty parameter: as unmatched as a 404.
  const unmatched = request.is404 || hasEmptyParam(request);
  const canonical = unmatched ? withoutTrailingSlash(request) : undefined;
  if (canonical !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
    void reply.code(308).header('location', canonical).send();
    return true;
  }
  // A route matched with an empty parameter would go on to Nest's not-found handler, whose 404
  // ("Cannot PATCH /api/items/") ignored the 405 its redirect calls for: answered here instead.
  if (!unmatched) return false;
  const allowed = allowedMethods(request, canonical !== undefined);
  sendProblem(
    reply,
    request,
    allowed.length > 0
      ? new MethodNotAllowedError(request.method, allowed)
      : // The path cut: `instance` has it whole, and a 16 KB path came back twice.
        new AppError('NOT_FOUND', 404, `No route ${request.method} ${cut(pathOf(request))}`),
  );
  return true;
}

/**
 * RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked MUST get 400 (its
 * length cannot be known); §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing. Node only
 * decodes chunked, so any other coding (`gzip, chunked`) is refused as well.
 */
function transferCodingProblem(request: FastifyRequest): string | undefined {
  const te = request.headers['transfer-encoding'];
  if (te === undefined) return undefined;
  if (request.raw.httpVersion === '1.0') return 'Transfer-Encoding is not allowed in HTTP/1.0.';
  return te.trim().toLowerCase() === 'chunked'
    ? undefined
    : 'Only Transfer-Encoding: chunked is accepted.';
}

function hasEmptyParam(request: { params?: unknown }): boolean {
  const params = request.params as Record<string, string> | undefined;
  if (params === undefined) return false;
  for (const key in params) if (params[key] === '') return true;
  return false;
}

/**
 * A route's path with a slash added (`/docs/`, `/api/items/`): the route's own path, query kept,
 * which a GET or HEAD is redirected to (308, as Go's ServeMux does the other way round); else
 * undefined. Only for paths some route answers, so a redirect never leads to a 404.
 * The `Location` is a relative reference, path and query only (RFC 9110 §10.2.2), so it stays on
 * this server: built from an absolute-form target as sent, `GET http://evil.example/healthz/`
 * was sent to `http://evil.example/healthz`. A path starting `//` or `/\` is not one (a browser
 * reads either as another host), nor one without its `/` (`*users/`).
 */
function withoutTrailingSlash(request: FastifyRequest): string | undefined {
  const target = originForm(request.url);
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path.length < 2 || path.charCodeAt(0) !== SLASH || !path.endsWith('/')) return undefined;
  const second = path.charCodeAt(1);
  if (second === SLASH || second === BACKSLASH) return undefined;
  const route = path.replace(/\/+$/, '');
  if (request.server.findRoute({ method: 'GET', url: route }) === null) return undefined;
  return route + target.slice(path.length);
}

/**
 * Methods with a route matching this path, in the router's own matching (params, wildcards),
 * but not one matching it with an empty parameter, which answers 404 (above): `/api/items/`
 * listed PATCH and DELETE, and `/status/` GET; with `redirected`, GET and HEAD too: a slashed
 * path answers them with its redirect, so another method there is 405 (`POST /healthz/`), as on
 * the probe port, not 404.
 */
function allowedMethods(request: FastifyRequest, redirected: boolean): string[] {
  const url = pathOf(request);
  return METHODS.filter((method) => {
    if (redirected && (method === 'GET' || method === 'HEAD')) return true;
    const route = request.server.findRoute({ method, url });
    return route !== null && !hasEmptyParam(route);
  });
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}
