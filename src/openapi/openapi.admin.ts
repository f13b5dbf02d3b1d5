import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdminServer } from '../admin/admin.server.js';
import { contractRouteOptions } from './contract.decorator.js';
import { openApiContracts } from './openapi.contract.js';
import { OpenApiService } from './openapi.service.js';

/** Admin `GET /openapi.json`: the admin listener's own document, apart from the public one. */
@Injectable()
export class OpenApiAdmin implements OnModuleInit {
  constructor(
    private readonly admin: AdminServer,
    private readonly openApi: OpenApiService,
  ) {}

  onModuleInit(): void {
    this.admin.routes.get(
      '/openapi.json',
      contractRouteOptions(openApiContracts.adminDocument),
      async (_request, reply) => {
        reply.header('content-type', 'application/json; charset=utf-8');
        return this.openApi.serialized('admin');
      },
    );
  }
}
