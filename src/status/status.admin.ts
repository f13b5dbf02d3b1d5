import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdminServer } from '../admin/admin.server.js';
import { contractRouteOptions } from '../openapi/contract.decorator.js';
import { StatusCollector } from './status.collector.js';
import { statusContracts } from './status.contract.js';
import { STATUS_PAGE_HEADERS, statusPage } from './status.page.js';

/**
 * Admin `GET /`: a live status page for a person (a phone will do) who port-forwarded the admin
 * port; `GET /status.json`: its figures, fetched by the page every few seconds. Reads only, so
 * the admin guard lets them through without a token, like /metrics (docs/status-and-traces.md).
 */
@Injectable()
export class StatusAdmin implements OnModuleInit {
  private readonly page = statusPage();

  constructor(
    private readonly admin: AdminServer,
    private readonly collector: StatusCollector,
  ) {}

  onModuleInit(): void {
    const routes = this.admin.routes;
    routes.get('/', contractRouteOptions(statusContracts.page), async (_request, reply) => {
      // Revalidated: a shell kept past a rollout would run its script on a newer /status.json.
      reply.headers(STATUS_PAGE_HEADERS).header('cache-control', 'no-cache');
      return this.page;
    });
    routes.get('/favicon.ico', contractRouteOptions(statusContracts.favicon), (_request, reply) => {
      reply.code(204).header('cache-control', 'public, max-age=86400').send();
    });
    routes.get(
      '/status.json',
      contractRouteOptions(statusContracts.snapshot),
      async (_request, reply) => {
        reply.header('cache-control', 'no-store');
        return this.collector.snapshot();
      },
    );
  }
}
