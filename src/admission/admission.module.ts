import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AdmissionService } from './admission.service.js';
import { EventLoopHealth } from './event-loop.health.js';
import { HealthModule } from '../health/health.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';

/**
 * Adaptive admission for the public port: the concurrency limiter and its signals, the loop's
 * readiness check. app.factory.ts attaches AdmissionService to the public listener and hands its
 * gate to the raw request listener (admission.listener.ts).
 */
@Module({
  imports: [TerminusModule, HealthModule, MetricsModule],
  providers: [AdmissionService, EventLoopHealth],
  exports: [AdmissionService],
})
export class AdmissionModule {}
