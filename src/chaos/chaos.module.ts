import { Module } from '@nestjs/common';
import { ChaosAdmin } from './chaos.admin.js';
import { ChaosController } from './chaos.controller.js';
import { ChaosMetrics } from './chaos.metrics.js';
import { ChaosState } from './chaos.state.js';
import { ProcessChaosAdmin } from './process-chaos.admin.js';
import { ProcessChaos } from './process-chaos.service.js';
import { AdminModule } from '../admin/admin.module.js';
import { HealthModule } from '../health/health.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';
import { VersionModule } from '../version/version.module.js';

/**
 * Fault injection: public /status and /delay, admin /chaos and the hook that applies it (with
 * `chaos_request_fault_active` on /metrics), and whole-process faults on admin /chaos/process
 * (process-chaos.*.ts).
 */
@Module({
  // VersionModule: the memory fault's cap is checked against the limits /version reads.
  imports: [AdminModule, HealthModule, MetricsModule, RequestContextModule, VersionModule],
  controllers: [ChaosController],
  providers: [ChaosState, ChaosAdmin, ChaosMetrics, ProcessChaos, ProcessChaosAdmin],
})
export class ChaosModule {}
