import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import type { DatabaseDriver, PoolStats, SqlResult, SqlSession } from './database.driver.js';
import { DatabaseMetrics } from './database.metrics.js';
import { MIGRATIONS } from './database.migrations.js';
import { migrate } from './database.migrator.js';
import { PgDriver } from './pg.driver.js';
import { PgliteDriver } from './pglite.driver.js';

const log = logger.child({ module: 'database' });

export interface QueryOptions {
  signal?: AbortSignal;
  prepare?: boolean;
}

/**
 * The query executor every repository uses. Each call runs under the current request's
 * AbortSignal (deadline or disconnect → the statement is cancelled on the server) with a
 * bounded wait for a connection; outside a request (start-up) nothing aborts it.
 * Opens the driver and applies migrations before the app starts listening.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private driver?: DatabaseDriver;
  private readonly metrics: DatabaseMetrics;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContextService,
    metrics: MetricsService,
  ) {
    this.metrics = new DatabaseMetrics(metrics, () => this.stats());
  }

  /** `postgres` (pg pool, DATABASE_URL) or `pglite` (embedded). */
  get kind(): DatabaseDriver['kind'] {
    return this.opened().kind;
  }

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    this.driver = this.config.DATABASE_URL
      ? new PgDriver(this.config)
      : await PgliteDriver.open(this.config);
    const applied = await this.driver.run((session) => migrate(session, MIGRATIONS), {
      signal: NEVER_ABORTS,
      acquireTimeoutMs: this.config.DB_CONNECT_TIMEOUT_MS,
    });
    log.info(
      { driver: this.driver.kind, applied, ms: Math.round(performance.now() - started) },
      'database ready',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.driver?.close();
    this.driver = undefined;
  }

  /**
   * One statement. `operation` names it in metrics (`items.find_by_id`). Options: `signal`
   * defaults to the current request's (a caller sharing one query among requests passes its
   * own); `prepare` makes it a named prepared statement under the operation's name — only for
   * SQL whose text never changes, on hot paths.
   */
  async query<R = Record<string, unknown>>(
    operation: string,
    sql: string,
    params?: readonly unknown[],
    options: QueryOptions = {},
  ): Promise<SqlResult<R>> {
    const name = options.prepare ? operation : undefined;
    return this.session(operation, options.signal ?? this.context.signal, (s) =>
      s.query<R>(sql, params, name),
    );
  }

  /** Runs `fn` inside BEGIN … COMMIT on one session; any throw rolls back. */
  async transaction<T>(
    operation: string,
    fn: (tx: SqlSession) => Promise<T>,
    signal: AbortSignal = this.context.signal,
  ): Promise<T> {
    return this.session(operation, signal, async (s) => {
      await s.exec('BEGIN');
      try {
        const result = await fn(s);
        await s.exec('COMMIT');
        return result;
      } catch (error) {
        // A broken or cancelled session is discarded by the driver; ROLLBACK is best effort.
        await s.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Readiness ping: `SELECT 1` within `timeoutMs`, connection wait included. */
  async ping(signal: AbortSignal, acquireTimeoutMs: number): Promise<void> {
    await this.opened().run((s) => s.query('SELECT 1'), { signal, acquireTimeoutMs });
  }

  stats(): PoolStats {
    return this.driver?.stats() ?? { max: 0, total: 0, idle: 0, waiting: 0 };
  }

  private async session<T>(
    operation: string,
    signal: AbortSignal,
    fn: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const waitStarted = performance.now();
    return this.opened().run(
      (session) => {
        this.metrics.acquired(operation, performance.now() - waitStarted);
        return fn(session);
      },
      { signal, acquireTimeoutMs: this.config.DB_POOL_ACQUIRE_TIMEOUT_MS },
    );
  }

  private opened(): DatabaseDriver {
    if (!this.driver) throw new Error('database used before start-up or after shutdown');
    return this.driver;
  }
}
