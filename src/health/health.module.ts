import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ProbeServer } from './probe.server.js';
import { ReadinessAdmin } from './readiness.admin.js';
import { ReadinessService } from './readiness.service.js';

/**
 * Probes, on the public port and on their own listener (probe.server.ts); global so dependency
 * modules can register readiness checks.
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessService, ReadinessAdmin, ProbeServer],
  exports: [ReadinessService, ProbeServer],
})
export class HealthModule {}
