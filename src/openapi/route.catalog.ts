import type { FastifyInstance } from 'fastify';
import type { RouteContract } from './route.contract.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's API contract (openapi/route.contract.ts); set by `ApiContract` or `contractRoute`. */
    contract?: RouteContract;
    /** Its body fields that take an integer (contract.decorator.ts); read by the admin parser. */
    integerFields?: ReadonlySet<string>;
  }
}

/** A route as the listener registered it: `/api/items/:id`, one method. */
export interface CatalogedRoute {
  method: string;
  url: string;
  contract?: RouteContract;
}

/**
 * Every route a Fastify listener registers, documented or not, seen through its `onRoute` hook.
 * Built before the routes exist (a provider's constructor: Nest registers controllers at init,
 * admin routes are added in onModuleInit), so none is missed. The documents are built from it,
 * and the route-walk test uses it to find routes registered without a contract.
 */
export class RouteCatalog {
  private readonly seen: CatalogedRoute[] = [];

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        this.seen.push({ method, url: route.url ?? route.path, contract: route.config?.contract });
      }
    });
  }

  /** Registered routes, without the HEAD twin Fastify adds to every GET (exposeHeadRoutes). */
  get routes(): readonly CatalogedRoute[] {
    const gets = new Set(this.seen.filter((r) => r.method === 'GET').map((r) => r.url));
    return this.seen.filter((r) => !(r.method === 'HEAD' && gets.has(r.url)));
  }

  /** Routes that would be missing from the document: each needs a contract. */
  get undocumented(): readonly CatalogedRoute[] {
    return this.routes.filter((r) => r.contract === undefined);
  }
}
