import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';
import { HttpServerMetrics } from './http-server.metrics.js';
import { MetricsAdmin } from './metrics.admin.js';
import { MetricsService } from './metrics.service.js';

/** The one Prometheus registry (every concern records its own instruments in it), served on admin. */
@Module({
  imports: [AdminModule, RequestContextModule],
  providers: [MetricsService, MetricsAdmin, HttpServerMetrics],
  exports: [MetricsService, HttpServerMetrics],
})
export class MetricsModule {}
