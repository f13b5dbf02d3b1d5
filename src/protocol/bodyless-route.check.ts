import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from '../errors/http.errors.js';
import { sendProblem } from '../errors/problem.reply.js';

/**
 * A body sent to a route that takes none is refused (400 INVALID_INPUT, field `body`), not
 * ignored: an operator who sent `POST /readyz/enable {"disabled": true}` to the admin port was
 * told 200 and meant the opposite, and `DELETE /api/items/1 {"ifVersion": 3}` deleted the item
 * at any version. Whether a route takes a body is its contract's (openapi/route.contract.ts),
 * read structurally: this layer sits below the one that defines it. A request without a body
 * (a JSON type without content is none on such a route: json.body-parser.ts) and a route without a
 * contract pass.
 */
export function registerBodylessRouteCheck(app: FastifyInstance): void {
  app.addHook('preValidation', (request, reply, done) => {
    const { contract } = (request.routeOptions.config ?? {}) as { contract?: { body?: unknown } };
    if (request.body === undefined || contract === undefined || contract.body !== undefined)
      return done();
    sendProblem(
      reply,
      request,
      new InvalidInputError([{ field: 'body', message: 'this route takes no body' }]),
    );
  });
}
