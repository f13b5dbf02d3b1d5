import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { AdmissionModule } from '../admission/admission.module.js';
import { ErrorsModule } from '../errors/errors.module.js';
import { HealthModule } from '../health/health.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';
import { StatusAdmin } from './status.admin.js';
import { StatusCollector } from './status.collector.js';

/** The live status page on the admin listener (`/`, `/status.json`). */
@Module({
  imports: [
    AdminModule,
    AdmissionModule,
    ErrorsModule,
    HealthModule,
    MetricsModule,
    RequestContextModule,
  ],
  providers: [StatusAdmin, StatusCollector],
})
export class StatusModule {}
