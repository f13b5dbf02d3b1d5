import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealth } from './database.health.js';
import { DatabaseService } from './database.service.js';

/**
 * PostgreSQL access for every feature: `pg` pool when DATABASE_URL is set, embedded PGlite
 * otherwise; migrations applied at start-up; a readiness check.
 */
@Module({
  imports: [TerminusModule, HealthModule, MetricsModule, RequestContextModule],
  providers: [DatabaseService, DatabaseHealth],
  exports: [DatabaseService],
})
export class DatabaseModule {}
