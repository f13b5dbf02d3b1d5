import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AdmissionGate } from './admission.gate.js';
import { EventLoopHealth } from './event-loop.health.js';
import { HealthModule } from '../health/health.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';

/**
 * Adaptive admission for the public port: the concurrency limiter and its signals, the loop's
 * readiness check. app.factory.ts wires the gate into the Fastify hooks and the listener.
 */
@Module({
  imports: [TerminusModule, HealthModule, MetricsModule],
  providers: [AdmissionGate, EventLoopHealth],
  exports: [AdmissionGate],
})
export class AdmissionModule {}
