import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The matched route template, `null` when none matched; unset until routeOf() asks. */
    matchedRoute?: string | null;
  }
}

/** Declares the cache field up front: one hidden class for every request object. */
export function declareMatchedRoute(app: FastifyInstance): void {
  app.decorateRequest('matchedRoute', undefined);
}

/**
 * The route template a request matched (`/api/items/:id`), or undefined for a 404. Read by the
 * span, probe check, metrics and access log of every request: Fastify's `routeOptions` getter
 * builds a fresh twelve-field object on each access, so the answer is kept on the request.
 */
export function routeOf(request: FastifyRequest): string | undefined {
  let route = request.matchedRoute;
  if (route === undefined) {
    route = request.routeOptions.url ?? null;
    request.matchedRoute = route;
  }
  return route ?? undefined;
}
