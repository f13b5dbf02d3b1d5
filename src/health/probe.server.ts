import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { AppError } from '../errors/app.error.js';
import { sendProblem } from '../errors/problem.reply.js';
import { requestIdFrom } from '../request-context/request-context.hook.js';
import { ReadinessService } from './readiness.service.js';

/**
 * The kubelet's listener on PROBE_PORT: /healthz, /readyz and /startupz, the same checks and
 * answers as on the public port (health.controller.ts), and nothing else. Used by every probe in
 * k8s/base/deployment.yaml. Why a listener of its own: the public port refuses excess connections
 * at accept (HTTP_MAX_CONNECTIONS), bounds its listen backlog and answers 503 past the concurrency
 * limit; a probe sharing that port would be refused with the excess, and a liveness probe failing
 * under load restarts a busy pod and pushes its load onto the rest. Here no hook, limit or
 * connection cap applies; the probe still needs the event loop to turn, which admission keeps
 * bounded, and which is what liveness is meant to check.
 */
@Injectable()
export class ProbeServer implements OnApplicationShutdown {
  readonly routes: FastifyInstance;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    health: HealthCheckService,
    readiness: ReadinessService,
  ) {
    this.routes = Fastify({
      logger: false,
      genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
      forceCloseConnections: true,
      frameworkErrors: (error, request, reply) => sendProblem(reply, request, error),
    });
    const probe =
      (checks: () => HealthIndicatorFunction[]) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          return await health.check(checks());
        } catch (error) {
          // Terminus throws 503 with the per-check details; the one mapping makes it
          // problem+json (code NOT_READY), byte for byte what the public port answers.
          sendProblem(reply, request, error);
          return reply;
        }
      };
    this.routes.get(
      '/healthz',
      probe(() => []),
    );
    this.routes.get(
      '/readyz',
      probe(() => readiness.readinessChecks()),
    );
    this.routes.get(
      '/startupz',
      probe(() => readiness.startupChecks()),
    );
    this.routes.setNotFoundHandler((request, reply) =>
      sendProblem(reply, request, new AppError('NOT_FOUND', 404, `No probe route ${request.url}`)),
    );
  }

  /** Opened by app.factory.ts with the other listeners. */
  async listen(): Promise<string> {
    return this.routes.listen({ port: this.config.PROBE_PORT, host: this.config.HOST });
  }

  get port(): number {
    const address = this.routes.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Shutdown step 5 (after the public and admin listeners): /readyz keeps answering 503
   * through the drain, so the kubelet sees the pod leave rotation. */
  async onApplicationShutdown(): Promise<void> {
    await this.routes.close();
  }
}
