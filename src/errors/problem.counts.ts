import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * Problem answers by code since start, both listeners of one app: the status page's "recent
 * errors by code" (src/status/). One map update per error answer; successful requests never
 * reach it. A provider, so two apps in one process count apart. `sendProblem` is a plain
 * function called from hooks and error handlers of both Fastify instances, so it finds the
 * counts on the instance that answers (`reply.server.problemCounts`), put there by `attach`.
 */
@Injectable()
export class ProblemCounts {
  private readonly counts = new Map<string, number>();

  /** Makes this the counts `sendProblem` records into for answers from `server`. */
  attach(server: FastifyInstance): void {
    server.decorate('problemCounts', this as ProblemCounts);
  }

  record(code: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
  }

  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.counts);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's problem counts (errors/problem.counts.ts); absent on an instance not attached. */
    problemCounts?: ProblemCounts;
  }
}
