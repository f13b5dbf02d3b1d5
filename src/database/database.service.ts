import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { isAppError } from '../errors/app.error.js';
import { DatabaseBreaker, type BreakerState } from './database.breaker.js';
import type { DatabaseDriver, PoolStats, SqlResult, SqlSession } from './database.driver.js';
import { DbCircuitOpenError, isDbFailure } from './database.errors.js';
import { DatabaseMetrics } from './database.metrics.js';
import { MIGRATIONS } from './database.migrations.js';
import { migrate } from './database.migrator.js';
import { PgDriver } from './pg.driver.js';
import { PgliteDriver } from './pglite.driver.js';

const log = logger.child({ module: 'database' });

export interface QueryOptions {
  signal?: AbortSignal;
  /** Epoch ms the wait for a connection must not outlast; defaults to the current request's
   * deadline when `signal` is not given (a caller with its own signal passes its own). */
  deadline?: number;
  prepare?: boolean;
}

// Codes of calls refused before reaching the server (connection.gate.ts, database.breaker.ts).
const REJECTION_CODES = new Set([
  'DB_CIRCUIT_OPEN',
  'DB_POOL_SATURATED',
  'DB_QUEUE_FULL',
  'DB_POOL_TIMEOUT',
]);

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
  private readonly breaker: DatabaseBreaker;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContextService,
    metrics: MetricsService,
  ) {
    this.breaker = new DatabaseBreaker({
      threshold: config.DB_BREAKER_THRESHOLD,
      probeIntervalMs: config.DB_BREAKER_PROBE_INTERVAL_MS,
      probe: () => this.opened().probe(config.DB_HEALTH_TIMEOUT_MS),
      onStateChange: (state, detail) => this.breakerChanged(state, detail),
    });
    this.metrics = new DatabaseMetrics(
      metrics,
      () => this.stats(),
      () => this.breaker.state,
    );
  }

  /** Breaker state: `open` while the database is not answering and calls are refused. */
  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** For /readyz?verbose: breaker, what opened it, and the pool right now. */
  status(): Record<string, unknown> {
    const open = this.breaker.state === 'open';
    return {
      driver: this.driver?.kind,
      breaker: this.breaker.state,
      ...(open ? { cause: this.breaker.openCause, openForMs: this.breaker.openForMs } : {}),
      pool: this.stats(),
    };
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
    this.breaker.stop();
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
      this.breaker.check();
      const result = await driver.run(
        (session) => {
          this.metrics.acquired(operation, performance.now() - waitStarted);
          return fn(session);
        },
        { signal, acquireTimeoutMs: this.config.DB_POOL_ACQUIRE_TIMEOUT_MS, deadline },
      );
      this.breaker.success();
      return result;
    } catch (error) {
      this.observe(error);
      throw error;
    }
  }

  /** Feeds the breaker and the metrics; SQL errors mean the server answered. */
  private observe(error: unknown): void {
    if (isDbFailure(error)) {
      const code = (error as { code: string }).code;
      this.metrics.failures.inc({ code });
      this.breaker.failure(code);
    } else if (isAppError(error) && REJECTION_CODES.has(error.code)) {
      this.metrics.rejections.inc({ code: error.code });
    } else if (!isAppError(error)) {
      // A SQL error (unique violation, ...): the server answered.
      this.breaker.success();
    }
  }

  private breakerChanged(state: BreakerState, detail: { cause?: string; openMs?: number }): void {
    this.metrics.breakerTransitions.inc({ state });
    if (state === 'open') {
      log.warn(
        { breaker: state, cause: detail.cause, threshold: this.config.DB_BREAKER_THRESHOLD },
        'database breaker opened: data routes answer 503 DB_CIRCUIT_OPEN until a probe succeeds',
      );
      // Nobody queued now will be served in time: tell them at once.
      this.driver?.rejectWaiting(
        new DbCircuitOpenError(Math.ceil(this.config.DB_BREAKER_PROBE_INTERVAL_MS / 1000)),
      );
    } else {
      log.info(
        { breaker: state, openMs: detail.openMs },
        'database breaker closed: answering again',
      );
    }
  }

  private requestDeadline(): number | undefined {
    return this.context.current()?.deadline;
  }

  private opened(): DatabaseDriver {
    if (!this.driver) throw new Error('database used before start-up or after shutdown');
    return this.driver;
  }
}
