import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { LimitsMetrics } from './limits.metrics.js';
import { VersionController } from './version.controller.js';
import { IdentityService } from './identity.service.js';
import { VersionService } from './version.service.js';

/**
 * Who is answering: `GET /version` (build commit, resource limits), and the identity and version
 * services /api/info, /echo and the landing page show; the container's limits on /metrics.
 */
@Module({
  controllers: [VersionController],
  imports: [MetricsModule],
  providers: [VersionService, IdentityService, LimitsMetrics],
  exports: [VersionService, IdentityService],
})
export class VersionModule {}
