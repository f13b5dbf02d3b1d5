import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { LimitsCache } from './limits.cache.js';
import { LimitsMetrics } from './limits.metrics.js';
import { VersionController } from './version.controller.js';
import { IdentityService } from './identity.service.js';
import { VersionService } from './version.service.js';

/**
 * Who is answering: `GET /version` (build commit, resource limits), and the identity and version
 * services /api/info, /echo and the landing page show; the container's limits on /metrics. One
 * LimitsCache reads the limits for all of them and for the memory chaos's cap check.
 */
@Module({
  controllers: [VersionController],
  imports: [MetricsModule],
  providers: [
    VersionService,
    IdentityService,
    LimitsMetrics,
    // One per app, so two apps in one process share no reads; a factory: its options are not providers.
    { provide: LimitsCache, useFactory: () => new LimitsCache() },
  ],
  exports: [VersionService, IdentityService, LimitsCache],
})
export class VersionModule {}
