import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealth } from './database.health.js';
import { DatabaseService } from './database.service.js';

/**
 * PostgreSQL access for every feature: `pg` pool when DATABASE_URL is set, embedded PGlite
 * otherwise; migrations applied at start-up; a readiness check. Global: repositories inject
 * DatabaseService without importing this module.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [DatabaseService, DatabaseHealth],
  exports: [DatabaseService],
})
export class DatabaseModule {}
