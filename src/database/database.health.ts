import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ReadinessService } from '../health/readiness.service.js';
import { DatabaseService } from './database.service.js';

/**
 * The `database` entry of /readyz: the breaker's state and the pool's figures, read without
 * any I/O (the breaker's own probe is what talks to the server while it is away). The database
 * is shared by every pod, so by default it never fails readiness: while it is away every pod
 * would leave the Service at once, and clients would get connection refused for every route —
 * also those that need no database — instead of fast 503 DB_CIRCUIT_OPEN problem+json from
 * the routes that do. It reports `degraded` (HTTP 200). READINESS_INCLUDES_DATABASE=true makes
 * an open breaker (or migrations still waiting for a server that was away at start-up) fail
 * readiness, for a deployment where each pod has a database of its own.
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
    this.readiness.addCheck(() => {
      const session = this.indicators.check('database');
      const status = this.database.status();
      if (this.database.breakerState === 'closed' && this.database.schemaReady) {
        return session.up(status);
      }
      return this.config.READINESS_INCLUDES_DATABASE
        ? session.down(status)
        : session.degraded(status);
    });
  }
}
