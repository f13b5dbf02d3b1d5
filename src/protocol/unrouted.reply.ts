import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { methodNamed } from '../errors/client-text.js';
import { sendProblem } from '../errors/problem.reply.js';
import { originForm } from '../errors/target-form.js';
import { MethodNotAllowedError, NoRouteError } from './protocol.errors.js';

/** Methods a route here can have; HEAD comes with every GET (Fastify's exposeHeadRoutes). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

/**
 * Check 4 of registerProtocolChecks (protocol.hook.ts): a redirect, 405 with `Allow` or 404 for a
 * request no route matched, or matched only with an empty parameter (Nest's adapter refuses
 * those: `requireNonEmptyParams`); false if routed.
 *
 * A route's path with a slash added (`/docs/`, `/chaos/process/cpu/`) answers as the path does:
 * a method the path takes is redirected there (308, which keeps the method and the body), any
 * other is the path's own 405 with its `Allow`. Only GET and HEAD were redirected, so a path
 * without a GET route answered its slashed form 404 to every method: `GET /chaos/process/cpu`
 * was 405 with `Allow: PUT, DELETE` and `GET /chaos/process/cpu/` 404, `PUT` there too.
 */
export function answeredUnrouted(request: FastifyRequest, reply: FastifyReply): boolean {
  // `/docs/` matches `/docs/:asset` with an empty parameter: as unmatched as a 404.
  if (!request.is404 && !hasEmptyParam(request)) return false;
  const slashed = withoutTrailingSlash(request);
  const allowed = allowedMethods(request.server, slashed?.path ?? pathOf(request));
  if (slashed !== undefined && allowed.includes(request.method)) {
    void reply.code(308).header('location', slashed.location).send();
    return true;
  }
  // A route matched with an empty parameter would go on to Nest's not-found handler, whose 404
  // ("Cannot PATCH /api/items/") ignored the 405 its redirect calls for: answered here instead.
  sendProblem(
    reply,
    request,
    allowed.length > 0
      ? new MethodNotAllowedError(methodNamed(request.method), allowed)
      : new NoRouteError(request.method, request.originalUrl),
  );
  return true;
}

function hasEmptyParam(request: { params?: unknown }): boolean {
  const params = request.params as Record<string, string> | undefined;
  if (params === undefined) return false;
  for (const key in params) if (params[key] === '') return true;
  return false;
}

/**
 * A route's path with a slash added (`/docs/`, `/api/items/`): the route's path, and the
 * `Location` a redirect there names (the path, query kept: as Go's ServeMux does the other way
 * round); else undefined. Only for paths some route answers, with any method, so a redirect never
 * leads to a 404.
 * The `Location` is a relative reference, path and query only (RFC 9110 §10.2.2), so it stays on
 * this server: built from an absolute-form target as sent, `GET http://evil.example/healthz/`
 * was sent to `http://evil.example/healthz`. A path starting `//` or `/\` is not one (a browser
 * reads either as another host), nor one without its `/` (`*users/`).
 */
function withoutTrailingSlash(
  request: FastifyRequest,
): { path: string; location: string } | undefined {
  const target = originForm(request.url);
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path.length < 2 || path.charCodeAt(0) !== SLASH || !path.endsWith('/')) return undefined;
  const second = path.charCodeAt(1);
  if (second === SLASH || second === BACKSLASH) return undefined;
  const route = path.replace(/\/+$/, '');
  if (allowedMethods(request.server, route).length === 0) return undefined;
  return { path: route, location: route + target.slice(path.length) };
}

/**
 * Methods with a route matching this path, in the router's own matching (params, wildcards),
 * but not one matching it with an empty parameter, which answers 404 (above): `/api/items/`
 * listed PATCH and DELETE, and `/status/` GET.
 */
function allowedMethods(server: FastifyInstance, url: string): string[] {
  return METHODS.filter((method) => {
    const route = server.findRoute({ method, url });
    return route !== null && !hasEmptyParam(route);
  });
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}
