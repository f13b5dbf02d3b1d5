import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdminServer } from '../admin/admin.server.js';
import { logger } from '../logging/logger.js';
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
    for (const [path, disabled] of [
      ['/readyz/disable', true],
      ['/readyz/enable', false],
    ] as const) {
      this.admin.routes.post(path, async () => {
        this.readiness.setOperatorDisabled(disabled);
        log.warn({ disabled }, 'readiness toggled by operator');
        return { disabled };
      });
    }
  }
}
