import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ReadinessAdmin } from './readiness.admin.js';
import { ReadinessService } from './readiness.service.js';

/** Probes; global so dependency modules can register readiness checks. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessService, ReadinessAdmin],
  exports: [ReadinessService],
})
export class HealthModule {}
