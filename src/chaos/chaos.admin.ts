import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdminServer } from '../admin/admin.server.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { sendProblem } from '../errors/problem.reply.js';
import { contractRouteOptions } from '../openapi/contract.decorator.js';
import { chaosContracts } from './chaos.contract.js';
import { parseChaosSettings } from './chaos.settings.js';
import { ChaosState } from './chaos.state.js';

/**
 * Admin `GET/PUT/DELETE /chaos`: read, replace, or switch off fault injection at run time, so
 * rampart can play the failing backend in someone else's resilience test.
 */
@Injectable()
export class ChaosAdmin implements OnModuleInit {
  constructor(
    private readonly admin: AdminServer,
    private readonly chaos: ChaosState,
  ) {}

  onModuleInit(): void {
    const routes = this.admin.routes;
    routes.get('/chaos', contractRouteOptions(chaosContracts.getSettings), async () => {
      return this.chaos.settings;
    });
    routes.put(
      '/chaos',
      contractRouteOptions(chaosContracts.putSettings),
      async (request, reply) => {
        const parsed = parseChaosSettings(request.body);
        if ('problems' in parsed) {
          return sendProblem(reply, request, new InvalidInputError(parsed.problems));
        }
        this.chaos.set(parsed.settings, `admin PUT /chaos (${request.id})`);
        return this.chaos.settings;
      },
    );
    routes.delete(
      '/chaos',
      contractRouteOptions(chaosContracts.deleteSettings),
      async (request) => {
        this.chaos.reset(`admin DELETE /chaos (${request.id})`);
        return this.chaos.settings;
      },
    );
  }
}
