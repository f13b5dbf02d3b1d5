import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ReadinessService } from '../health/readiness.service.js';
import { isDbPoolTimeout } from './database.errors.js';
import { DatabaseService } from './database.service.js';

/**
 * The `database` entry of /readyz: `SELECT 1` within DB_HEALTH_TIMEOUT_MS. Down when the server
 * cannot be reached, so the pod leaves the Service endpoints while the database is away and
 * returns by itself when it answers again. A pool that is merely busy is reported up with
 * `pool: saturated`: pulling busy pods out of rotation would push their load onto the others.
 */
@Injectable()
export class DatabaseHealth implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseService,
  ) {}

  onModuleInit(): void {
    const timeoutMs = this.config.DB_HEALTH_TIMEOUT_MS;
    this.readiness.addCheck(() =>
      this.indicators
        .check('database')
        .attempt(async ({ signal }) => {
          try {
            // Half the budget for the connection wait, so a busy pool answers before the timeout.
            await this.database.ping(signal, Math.max(1, Math.floor(timeoutMs / 2)));
            return { driver: this.database.kind };
          } catch (error) {
            if (isDbPoolTimeout(error)) return { driver: this.database.kind, pool: 'saturated' };
            throw error;
          }
        })
        .withTimeout(timeoutMs),
    );
  }
}
