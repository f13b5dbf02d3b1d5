import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ProbeServer } from './probe.server.js';
import { ReadinessAdmin } from './readiness.admin.js';
import { ReadinessService } from './readiness.service.js';

/**
 * Probes, on the public port and on their own listener (probe.server.ts). Modules with a
 * dependency to report import this one and register a readiness check.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AdminModule],
  controllers: [HealthController],
  providers: [ReadinessService, ReadinessAdmin, ProbeServer],
  exports: [ReadinessService, ProbeServer],
})
export class HealthModule {}
