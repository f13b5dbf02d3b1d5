import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import { InvalidInputError } from '../errors/http.errors.js';
import { sendProblem } from '../errors/problem.reply.js';

const READS = new Set(['GET', 'HEAD']);

/**
 * A query parameter sent with an admin change whose contract takes none (every one: chaos,
 * process chaos, the readiness toggles) is refused, 400 INVALID_INPUT naming each, and nothing
 * is applied. Ignored, `POST /readyz/disable?dryRun=true` took the pod out of rotation and
 * `DELETE /chaos/process?fault=cpu` stopped every fault, each answered 200: a parameter the
 * operator believed in did nothing it was told, as the public routes' noQuery says
 * (openapi/contract.input.ts). The contract is read structurally: that layer sits above this one.
 * Added to each such route as it is declared, so it runs after the listener's own hooks: a caller
 * without the token is answered 401 (admin.guard.ts) before anything about the route's input.
 */
export function registerMutationQueryCheck(routes: FastifyInstance): void {
  routes.addHook('onRoute', (route: RouteOptions) => {
    const { contract } = (route.config ?? {}) as { contract?: { query?: unknown } };
    if (contract === undefined || contract.query !== undefined) return;
    if ([route.method].flat().every((method) => READS.has(method))) return;
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [refuseQuery, ...own];
  });
}

const refuseQuery: onRequestHookHandler = (request, reply, done) => {
  const given = Object.keys(request.query as object);
  if (given.length === 0) return done();
  const problems = given.map((field) => ({ field, message: 'unknown query parameter' }));
  sendProblem(reply, request, new InvalidInputError(problems));
};
