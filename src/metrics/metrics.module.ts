import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { ErrorsModule } from '../errors/errors.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';
import { HttpServerMetrics } from './http-server.metrics.js';
import { MetricsAdmin } from './metrics.admin.js';
import { MetricsService } from './metrics.service.js';
import { ProblemMetrics } from './problem.metrics.js';

/** The one Prometheus registry (every concern records its own instruments in it), served on admin. */
@Module({
  imports: [AdminModule, ErrorsModule, RequestContextModule],
  providers: [MetricsService, MetricsAdmin, HttpServerMetrics, ProblemMetrics],
  exports: [MetricsService, HttpServerMetrics],
})
export class MetricsModule {}
