import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdminServer } from '../admin/admin.server.js';
import { logger } from '../logging/logger.js';
import { contractRouteOptions } from '../openapi/contract.decorator.js';
import { readinessContracts } from './readiness.contract.js';
import { ReadinessService } from './readiness.service.js';

const log = logger.child({ module: 'health' });

/** Admin `POST /readyz/disable|enable`: take a pod out of rotation without killing it. */
@Injectable()
export class ReadinessAdmin implements OnModuleInit {
  constructor(
    private readonly admin: AdminServer,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    for (const [path, disabled, contract] of [
      ['/readyz/disable', true, readinessContracts.disable],
      ['/readyz/enable', false, readinessContracts.enable],
    ] as const) {
      this.admin.routes.post(path, contractRouteOptions(contract), async () => {
        this.readiness.setOperatorDisabled(disabled);
        log.warn({ disabled }, 'readiness toggled by operator');
        return { disabled };
      });
    }
  }
}
