import { Global, Module } from '@nestjs/common';
import { MetricsAdmin } from './metrics.admin.js';
import { MetricsService } from './metrics.service.js';

/** Global: every concern records its own instruments in the one registry. */
@Global()
@Module({ providers: [MetricsService, MetricsAdmin], exports: [MetricsService] })
export class MetricsModule {}
