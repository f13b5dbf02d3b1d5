import { Module } from '@nestjs/common';
import { ShutdownService } from './shutdown.service.js';
import { AdminModule } from '../admin/admin.module.js';
import { AdmissionModule } from '../admission/admission.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { HealthModule } from '../health/health.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';

@Module({
  imports: [AdminModule, AdmissionModule, DatabaseModule, HealthModule, RequestContextModule],
  providers: [ShutdownService],
  exports: [ShutdownService],
})
export class LifecycleModule {}
