import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { listenAs } from '../config/listen.error.js';
import { answerClientError } from '../errors/client-error.reply.js';
import { answerUnmetExpectation, continueUnlessTooLarge } from '../errors/expect.reply.js';
import { ProblemCounts } from '../errors/problem.counts.js';
import { sendProblem } from '../errors/problem.reply.js';
import { DeferredSerializers } from '../protocol/deferred.serializers.js';
import { socketTimeoutOptions } from '../protocol/socket-timeouts.js';
import { inTurnServerFactory } from '../protocol/pipelined-requests.listener.js';
import { registerBodylessRouteCheck } from '../protocol/bodyless-route.check.js';
import { boundChunkedFraming } from '../protocol/chunked-framing.bound.js';
import { registerHeadNoContent } from '../protocol/head-no-content.js';
import { registerJsonBodyParser } from '../protocol/json.body-parser.js';
import { registerLingeringClose } from '../errors/lingering-close.js';
import { frameworkErrorReply } from '../protocol/protocol.checks.js';
import { NoRouteError } from '../protocol/protocol.errors.js';
import { registerProtocolChecks } from '../protocol/protocol.hook.js';
import { requestIdFrom } from '../request-context/request-id.js';
import { capConnections, type CapCounts } from './admin.connections.js';
import { AdminGuard } from './admin.guard.js';
import { registerMutationQueryCheck } from './mutation-query.check.js';

/** Admin bodies are small settings objects (chaos, toggles). */
const ADMIN_BODY_LIMIT = 64 * 1024;

/**
 * The operator listener on ADMIN_PORT: metrics, profiles, fault injection, readiness toggles.
 * Kept off the public port so a NetworkPolicy can restrict it to the monitoring namespace; its
 * mutations and profiles also need ADMIN_TOKEN (admin.guard.ts), so the policy is not the only
 * thing in front of them.
 * Modules add routes in onModuleInit via `routes`; main.ts opens it after the public listener.
 */
@Injectable()
export class AdminServer implements OnApplicationShutdown {
  readonly routes: FastifyInstance;
  private readonly guard: AdminGuard;
  // Its routes' response serializers compile after it listens (deferred.serializers.ts).
  private readonly serializers = new DeferredSerializers();
  /** Set by listen(): the admin routes whose response schema failed to compile, once all ran. */
  serializersWarmed?: Promise<string[]>;
  /** Connections closed at ADMIN_MAX_CONNECTIONS (admin.connections.ts). */
  readonly connectionCap: CapCounts;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    problemCounts: ProblemCounts,
  ) {
    this.guard = new AdminGuard(config);
    const timeouts = socketTimeoutOptions(config);
    this.routes = Fastify({
      // Pipelined requests one at a time per connection (protocol/pipelined-requests.listener.ts).
      serverFactory: inTurnServerFactory(),
      logger: false,
      bodyLimit: ADMIN_BODY_LIMIT,
      genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
      // TRUST_PROXY is not applied here: Prometheus and operators reach this port directly (the
      // NetworkPolicy admits the monitoring namespace only), never through the ingress, so an
      // X-Forwarded-For on it is the caller's own claim. request.ip stays the socket's peer.
      trustProxy: false,
      forceCloseConnections: true,
      // A target the router refuses meets the protocol checks first, as on the other ports.
      frameworkErrors: frameworkErrorReply(),
      // Same error shape as the public port for requests Node's parser rejects, and for a missing
      // Host (see protocol/protocol.checks.ts).
      clientErrorHandler: answerClientError,
      // The public port's header and request timeouts: a slow client closed, not kept.
      requestTimeout: timeouts.requestTimeout,
      http: { requireHostHeader: false, ...timeouts.http },
    });
    this.connectionCap = capConnections(this.routes.server, config.ADMIN_MAX_CONNECTIONS);
    this.routes.server.on(
      'checkExpectation',
      answerUnmetExpectation(this.routes, this.routes.server),
    );
    this.routes.server.on(
      'checkContinue',
      continueUnlessTooLarge(this.routes, this.routes.server, ADMIN_BODY_LIMIT),
    );
    boundChunkedFraming(this.routes.server, ADMIN_BODY_LIMIT);
    this.routes.setSerializerCompiler(this.serializers.compiler);
    problemCounts.attach(this.routes);
    this.routes.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
    // The protocol's answer before the guard's: a malformed request (`POST *`, no Host) or one no
    // route takes (404, 405 with Allow) is not an authorisation question, and in production
    // without ADMIN_TOKEN the guard answered 403 to each, where the other ports give 400, 404,
    // 405. A route that exists still meets the guard before anything reads its body.
    registerProtocolChecks(this.routes);
    this.guard.register(this.routes);
    registerMutationQueryCheck(this.routes);
    // The public port's JSON rules (strict UTF-8, charset, depth, Content-Encoding, one
    // Content-Type): Fastify's own parser took `charset=latin1` here, where the public port
    // answers 415. Its settings are integers: a number read as an integer it does not denote
    // (`{"code":1e-400}` on the exit route exited 0) is refused.
    registerJsonBodyParser(this.routes, { exactIntegers: true });
    registerLingeringClose(this.routes);
    registerBodylessRouteCheck(this.routes);
    registerHeadNoContent(this.routes);
    this.routes.setErrorHandler((error, request, reply) => sendProblem(reply, request, error));
    // Dead to every route rampart has: the protocol checks answer each request no route takes
    // (protocol/unrouted.reply.ts) before Fastify would call this. Only a route handing its
    // request on with `reply.callNotFound()` would reach it, and then gets the checks' own 404,
    // not Fastify's `{"message":"Route GET:/x not found"}` JSON.
    this.routes.setNotFoundHandler((request, reply) =>
      sendProblem(reply, request, new NoRouteError(request.method, request.url)),
    );
  }

  async listen(): Promise<string> {
    const { ADMIN_PORT: port, ADMIN_HOST: host } = this.config;
    const address = await listenAs({ ADMIN_PORT: port, ADMIN_HOST: host }, () =>
      this.routes.listen({ port, host }),
    );
    this.guard.announce();
    this.serializersWarmed = this.serializers.warm();
    return address;
  }

  get port(): number {
    const address = this.routes.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.routes.close();
  }
}
