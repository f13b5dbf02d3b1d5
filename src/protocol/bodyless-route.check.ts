import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preValidationHookHandler,
  RouteOptions,
} from 'fastify';
import { InvalidInputError } from '../errors/http.errors.js';
import { announcesBodyOver } from '../errors/lingering-close.js';
import { sendProblem } from '../errors/problem.reply.js';
import { requestContent } from './request-content.js';

/** Methods whose content Fastify never parses: the route's handler runs with no body at all. */
const UNPARSED = new Set(['GET', 'HEAD']);

/**
 * A body sent to a route that takes none is refused (400 INVALID_INPUT, field `body`), not
 * ignored: an operator who sent `POST /readyz/enable {"disabled": true}` to the admin port was
 * told 200 and meant the opposite, and `DELETE /api/items/1 {"ifVersion": 3}` deleted the item
 * at any version. Whether a route takes a body is its contract's (openapi/route.contract.ts),
 * read structurally: this layer sits below the one that defines it. A request without a body
 * (a JSON type without content is none on such a route: json.body-parser.ts) and a route without a
 * contract pass.
 * A GET or HEAD is never parsed, so its content is looked for here without reading it
 * (request-content.ts): `GET /api/items {"cursor": …}` was answered the first page, and a client
 * paging so got it forever (RFC 9110 §9.3.1: such content has no meaning; a server may refuse it).
 */
export function registerBodylessRouteCheck(app: FastifyInstance): void {
  // Added to the routes whose contract takes no body, as they are declared: the check knows its
  // contract from then, where a hook for every route read Fastify's routeOptions getter (a
  // twelve-field object built per read) to find it, and a route with a body meets nothing.
  app.addHook('onRoute', (route: RouteOptions) => {
    const { contract } = (route.config ?? {}) as {
      contract?: { body?: unknown; probe?: boolean };
    };
    if (contract === undefined || contract.body !== undefined) return;
    const own = route.preValidation === undefined ? [] : [route.preValidation].flat();
    route.preValidation = [bodylessCheck(contract.probe === true), ...own];
  });
}

function bodylessCheck(probe: boolean): preValidationHookHandler {
  return (request, reply, done) => {
    if (request.body !== undefined) return refuse(reply, request);
    // A probe answers for the pod's health whatever comes with it, as on the probe port.
    if (!UNPARSED.has(request.method) || probe) return done();
    // Nearly every read announces no content at all: answered without a closure per request.
    if (!announcesBodyOver(request.raw, 0)) return done();
    requestContent(request.raw, request.raw, (content) => {
      if (content === 'none') done();
      else if (content === 'some') refuse(reply, request);
      else done(content);
    });
  };
}

function refuse(reply: FastifyReply, request: FastifyRequest): void {
  sendProblem(
    reply,
    request,
    new InvalidInputError([{ field: 'body', message: 'this route takes no body' }]),
  );
}
