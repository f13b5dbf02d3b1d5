import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminServer } from '../admin/admin.server.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { contractRouteOptions } from '../openapi/contract.decorator.js';
import { parseQuery } from '../openapi/contract.input.js';
import { heapQuery, pprofContracts, profileQuery } from './pprof.contract.js';
import { PprofProfiler } from './pprof.profiler.js';

/**
 * Admin `GET /debug/pprof/profile?seconds=N` (CPU) and `GET /debug/pprof/heap` — the paths of
 * Go's net/http/pprof, so `go tool pprof http://host:9090/debug/pprof/profile?seconds=30` works.
 * Not registered (404) unless DEBUG_PPROF_ENABLED=true; the admin guard asks for ADMIN_TOKEN as
 * `Authorization: Bearer` or `?token=` (admin/admin.guard.ts). Used by an operator chasing a
 * bottleneck.
 */
@Injectable()
export class PprofAdmin implements OnModuleInit, OnApplicationShutdown {
  private readonly profiler = new PprofProfiler();

  constructor(
    private readonly admin: AdminServer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.DEBUG_PPROF_ENABLED) return;
    await this.profiler.start();
    const routes = this.admin.routes;
    routes.get(
      '/debug/pprof/profile',
      contractRouteOptions(pprofContracts.profile),
      async (request, reply) => {
        const seconds = this.seconds(request);
        const profile = await this.profiler.cpu(seconds, clientGone(reply));
        // Abandoned: the socket is closed, there is no one to answer.
        return profile === undefined ? reply.send() : this.send(reply, profile, 'profile');
      },
    );
    routes.get(
      '/debug/pprof/heap',
      contractRouteOptions(pprofContracts.heap),
      async (request, reply) => {
        parseQuery(heapQuery, request.query);
        return this.send(reply, await this.profiler.heap(), 'heap');
      },
    );
  }

  onApplicationShutdown(): void {
    this.profiler.stop();
  }

  /**
   * `seconds`: an integer 1..DEBUG_PPROF_MAX_SECONDS, default 30 (as in Go) capped to the max.
   * Any other parameter but `token` is refused first (profileQuery).
   */
  private seconds(request: FastifyRequest): number {
    const max = this.config.DEBUG_PPROF_MAX_SECONDS;
    const raw = parseQuery(profileQuery, request.query).seconds;
    if (raw === undefined) return Math.min(30, max);
    const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= max)) {
      throw new InvalidInputError([
        { field: 'seconds', message: `expected an integer from 1 to ${max}` },
      ]);
    }
    return n;
  }

  private send(reply: FastifyReply, body: Buffer, name: string): Buffer {
    reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${name}"`);
    return body;
  }
}

/** Aborts when the response's connection closes before the response was written. */
function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) gone.abort();
  });
  return gone.signal;
}
