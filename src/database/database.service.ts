import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import type { BreakerState } from './database.breaker.js';
import type { DatabaseDriver, PoolStats, SqlResult, SqlSession } from './database.driver.js';
import { DatabaseMetrics } from './database.metrics.js';
import { DatabasePolicy } from './database.policy.js';
import { databaseConfigError } from './connect.config-error.js';
import { MIGRATIONS } from './database.migrations.js';
import { migrate } from './database.migrator.js';
import { PgDriver } from './pg.driver.js';
import { PgliteDriver } from './pglite.driver.js';

const log = logger.child({ module: 'database' });
/**
 * A statement its caller cancelled after it had run this long makes the policy ask the server
 * whether it still answers (DatabasePolicy.suspect): statements here take milliseconds.
 */
const SUSPECT_AFTER_MS = 500;
/** A replica waiting for another's migrations says so this often. */
const WAIT_LOG_INTERVAL_MS = 5_000;

export interface QueryOptions {
  signal?: AbortSignal;
  /** Epoch ms the wait for a connection must not outlast; defaults to the current request's
   * deadline when `signal` is not given (a caller with its own signal passes its own). */
  deadline?: number;
  prepare?: boolean;
}

/**
 * The query executor every repository uses. Each call runs under the current request's
 * AbortSignal (deadline or disconnect → the statement is cancelled on the server), waits for
 * a connection no longer than the request's remaining deadline allows, and passes the
 * database breaker first (open → fast 503 DB_CIRCUIT_OPEN); outside a request (start-up)
 * nothing aborts it. Opens the driver and applies migrations before the app starts listening.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private driver?: DatabaseDriver;
  private readonly metrics: DatabaseMetrics;
  private readonly policy: DatabasePolicy;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContextService,
    metrics: MetricsService,
  ) {
    this.metrics = new DatabaseMetrics(
      metrics,
      () => this.stats(),
      () => this.policy.state,
    );
    this.policy = new DatabasePolicy(config, this.metrics, {
      probe: () => this.opened().probe(config.DB_HEALTH_TIMEOUT_MS),
      rejectWaiting: (error) => this.driver?.rejectWaiting(error),
    });
  }

  /** Breaker state: `open` while the database is not answering and calls are refused. */
  get breakerState(): BreakerState {
    return this.policy.state;
  }

  /** For /readyz?verbose: breaker, what opened it, and the pool right now. */
  status(): Record<string, unknown> {
    return { driver: this.driver?.kind, ...this.policy.status(), pool: this.stats() };
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
    let loggedAt = -Infinity;
    const waiting = (waitedMs: number): void => {
      if (waitedMs - loggedAt < WAIT_LOG_INTERVAL_MS) return;
      loggedAt = waitedMs;
      log.info(
        { waitedMs: Math.round(waitedMs) },
        'waiting for the migration lock: another replica is migrating',
      );
    };
    const applied = await this.driver
      .run((session) => migrate(session, MIGRATIONS, waiting), {
        signal: NEVER_ABORTS,
        acquireTimeoutMs: this.config.DB_CONNECT_TIMEOUT_MS,
        // Waiting for another replica's migrations, or running a long one, is not a server that
        // stopped answering: DB_QUERY_TIMEOUT_MS failed a replica's start after 6 s in the queue.
        queryTimeoutMs: 0,
      })
      .catch((error: unknown) => {
        throw databaseConfigError(error) ?? error;
      });
    log.info(
      { driver: this.driver.kind, applied, ms: Math.round(performance.now() - started) },
      'database ready',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.policy.stop();
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
    const deadline = options.deadline ?? (options.signal ? undefined : this.requestDeadline());
    return this.session(operation, options.signal ?? this.context.signal, deadline, (s) =>
      s.query<R>(sql, params, name),
    );
  }

  /** Runs `fn` inside BEGIN … COMMIT on one session; any throw rolls back. */
  async transaction<T>(
    operation: string,
    fn: (tx: SqlSession) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const deadline = signal ? undefined : this.requestDeadline();
    return this.session(operation, signal ?? this.context.signal, deadline, async (s) => {
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

  stats(): PoolStats {
    return this.driver?.stats() ?? { max: 0, total: 0, idle: 0, waiting: 0 };
  }

  private async session<T>(
    operation: string,
    signal: AbortSignal,
    deadline: number | undefined,
    fn: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const driver = this.opened();
    const waitStarted = performance.now();
    try {
      this.policy.admit();
      const result = await driver.run(
        (session) => {
          this.metrics.acquired(operation, performance.now() - waitStarted);
          return fn(session);
        },
        {
          signal,
          acquireTimeoutMs: this.config.DB_POOL_ACQUIRE_TIMEOUT_MS,
          deadline,
          onCancelled: this.cancelledAfter,
        },
      );
      this.policy.succeeded();
      return result;
    } catch (error) {
      this.policy.failed(error);
      throw error;
    }
  }

  /** A statement its caller cancelled after a long run: is the server still answering? */
  private readonly cancelledAfter = (runningMs: number): void => {
    if (runningMs >= SUSPECT_AFTER_MS) this.policy.suspect();
  };

  private requestDeadline(): number | undefined {
    return this.context.current()?.deadline;
  }

  private opened(): DatabaseDriver {
    if (!this.driver) throw new Error('database used before start-up or after shutdown');
    return this.driver;
  }
}
