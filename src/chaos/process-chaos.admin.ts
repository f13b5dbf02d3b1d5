import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AdminServer } from '../admin/admin.server.js';
import type { FieldProblem } from '../errors/app.error.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { sendProblem } from '../errors/problem.reply.js';
import { contractRouteOptions } from '../openapi/contract.decorator.js';
import type { RouteContract } from '../openapi/route.contract.js';
import { LimitsCache } from '../version/limits.cache.js';
import { processChaosContracts as contracts, stopFaultContract } from './process-chaos.contract.js';
import { memoryCapProblems } from './memory.limit.js';
import { PROCESS_FAULTS } from './process-chaos.metrics.js';
import { ProcessChaos } from './process-chaos.service.js';
import { parseFault } from './process-chaos.settings.js';

const BASE = '/chaos/process';

/**
 * Admin routes for whole-process faults (docs/chaos.md shows each in a cluster):
 * `GET /chaos/process` (state), `DELETE /chaos/process` (stop all), and per fault
 * `PUT` to start (JSON body, validated: 400 problem+json, nothing started) and `DELETE` to stop:
 * `event-loop`, `cpu`, `memory`, `liveness`, `slow-body`; `POST /chaos/process/exit` (and
 * `DELETE /chaos/process/exit` to cancel one still waiting its delay).
 * Mutations pass the admin guard (ADMIN_TOKEN) like every other admin route. Bodies are parsed
 * with the schemas their contracts (process-chaos.contract.ts) document.
 */
@Injectable()
export class ProcessChaosAdmin implements OnModuleInit {
  constructor(
    private readonly admin: AdminServer,
    private readonly chaos: ProcessChaos,
    private readonly limits: LimitsCache,
  ) {}

  onModuleInit(): void {
    const routes = this.admin.routes;
    const chaos = this.chaos;
    routes.get(BASE, contractRouteOptions(contracts.state), async () => chaos.state);
    routes.delete(BASE, contractRouteOptions(contracts.stopAll), async () => ({
      stopped: chaos.stopAll(),
      ...chaos.state,
    }));
    this.start('event-loop', contracts.eventLoop, (s, reply) =>
      chaos.startLoopBlock(s, afterAnswer(reply)),
    );
    this.start('cpu', contracts.cpu, (s) => chaos.startCpuBurn(s));
    this.start(
      'memory',
      contracts.memory,
      (s) => chaos.startMemoryGrowth(s),
      (s) => memoryCapProblems(s, this.limits),
    );
    this.start('liveness', contracts.liveness, (s) => chaos.failLiveness(s.reason));
    this.start('slow-body', contracts.slowBody, (s) => chaos.startSlowBody(s));
    for (const fault of PROCESS_FAULTS) {
      routes.delete(
        `${BASE}/${fault}`,
        contractRouteOptions(stopFaultContract(fault)),
        async () => ({
          stopped: chaos.stop(fault),
          ...chaos.state,
        }),
      );
    }
    routes.post(`${BASE}/exit`, contractRouteOptions(contracts.exit), async (request, reply) => {
      const parsed = parseFault(contracts.exit.body.schema, request.body);
      if ('problems' in parsed) return invalid(reply, request, parsed.problems);
      chaos.exitProcess(parsed.settings, afterAnswer(reply));
      return reply.code(202).send(chaos.state);
    });
  }

  /**
   * `PUT /chaos/process/<fault>`: validate (the schema, then `check` for what needs a look at the
   * machine), start, answer the new state (202: it is running).
   */
  private start<T>(
    fault: (typeof PROCESS_FAULTS)[number],
    contract: RouteContract & { body: { schema: z.ZodType<T> } },
    run: (settings: T, reply: FastifyReply) => void,
    check?: (settings: T) => Promise<FieldProblem[]>,
  ): void {
    this.admin.routes.put(
      `${BASE}/${fault}`,
      contractRouteOptions(contract),
      async (request, reply) => {
        const parsed = parseFault<T>(contract.body.schema, request.body);
        if ('problems' in parsed) return invalid(reply, request, parsed.problems);
        const problems = (await check?.(parsed.settings)) ?? [];
        if (problems.length > 0) return invalid(reply, request, problems);
        run(parsed.settings, reply);
        return reply.code(202).send(this.chaos.state);
      },
    );
  }
}

function invalid(
  reply: FastifyReply,
  request: FastifyRequest,
  problems: ConstructorParameters<typeof InvalidInputError>[0],
): void {
  sendProblem(reply, request, new InvalidInputError(problems));
}

/**
 * Runs `run` once this answer has left (the caller sees it before the loop stops or the exit), or
 * once the connection is gone without it (the client reset it): the request was accepted and the
 * state shows the fault pending, so it must happen. Waiting for 'finish' alone, an exit whose
 * caller reset the connection stayed pending for good. 'close' follows 'finish' on every
 * response, so it alone covers both, once.
 */
function afterAnswer(reply: FastifyReply): (run: () => void) => void {
  return (run) => {
    if (reply.raw.closed) setImmediate(run);
    else reply.raw.once('close', () => setImmediate(run));
  };
}
