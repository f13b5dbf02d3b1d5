import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import type { BreakerState } from './database.breaker.js';
import { DatabaseCallRunner, type DatabaseCall } from './database.call-runner.js';
import type { DatabaseDriver, PoolStats, SqlResult, SqlSession } from './database.driver.js';
import { DatabaseMetrics } from './database.metrics.js';
import { DatabasePolicy } from './database.policy.js';
import { PgDriver } from './pg.driver.js';
import { PgliteDriver } from './pglite.driver.js';
import { SchemaStartup } from './schema.startup.js';
import { schemaStartupBounds } from './schema.startup-bounds.js';

export interface QueryOptions {
  signal?: AbortSignal;
  /** Epoch ms the wait for a connection must not outlast; defaults to the current request's
   * deadline when `signal` is not given (a caller with its own signal passes its own). */
  deadline?: number;
  prepare?: boolean;
  /**
   * Called once the statement is handed to the server, from which point it may commit whatever
   * the caller hears; not when the call ends before (breaker, pool, connect, an abort while
   * waiting for one): a caller that must know whether a write may have happened (a write in
   * doubt) counts from here.
   */
  onSent?: () => void;
}

/**
 * The query executor every repository uses. Each call runs under the current request's
 * AbortSignal (deadline or disconnect → the statement is cancelled on the server, and its
 * connection destroyed if the server has not acted on that DB_HEALTH_TIMEOUT_MS later), waits for
 * a connection no longer than the request's remaining deadline allows, and passes the
 * database breaker first (open → fast 503 DB_CIRCUIT_OPEN): database.call-runner.ts. Outside a
 * request (start-up) nothing aborts it. Opens the driver and applies migrations before the app
 * starts listening (or, with the server away, in the background: schema.startup.ts).
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private driver?: DatabaseDriver;
  private schema?: SchemaStartup;
  /** Shutdown came before the modules started (a signal held through start-up). */
  private migrationsStopped = false;
  private readonly metrics: DatabaseMetrics;
  private readonly policy: DatabasePolicy;
  private readonly calls: DatabaseCallRunner;

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
    this.calls = new DatabaseCallRunner(config, this.policy, this.metrics);
  }

  /** Breaker state: `open` while the database is not answering and calls are refused. */
  get breakerState(): BreakerState {
    return this.policy.state;
  }

  /** False while start-up migrations wait for a server that was away (schema.startup.ts). */
  get schemaReady(): boolean {
    return this.schema?.ready ?? false;
  }

  /** For /readyz?verbose: breaker, what opened it, and the pool right now. */
  status(): Record<string, unknown> {
    return {
      driver: this.driver?.kind,
      ...this.policy.status(),
      ...(this.schema?.ready === false && { schema: 'pending' }),
      pool: this.stats(),
    };
  }

  /** `postgres` (pg pool, DATABASE_URL) or `pglite` (embedded). */
  get kind(): DatabaseDriver['kind'] {
    return this.opened().kind;
  }

  async onModuleInit(): Promise<void> {
    this.driver = this.config.DATABASE_URL
      ? new PgDriver(this.config)
      : await PgliteDriver.open(this.config);
    this.schema = new SchemaStartup(this.driver, schemaStartupBounds(this.config));
    if (this.migrationsStopped) void this.schema.stop();
    await this.schema.start();
  }

  /** Shutdown step 1, or a signal during start-up: stops a start-up migration still at work
   * (schema.startup.ts). Resolves once it has ended; never rejects. */
  stopMigrations(): Promise<void> {
    this.migrationsStopped = true;
    return this.schema?.stop() ?? Promise.resolve();
  }

  async onApplicationShutdown(): Promise<void> {
    // Before the pool's end, which would wait for the attempt's session to come back.
    await this.stopMigrations();
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
    const signal = options.signal ?? this.context.signal;
    return this.session({ operation, signal, deadline, onSent: options.onSent }, (s) =>
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
    const call = { operation, signal: signal ?? this.context.signal, deadline };
    return this.session(call, async (s) => {
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
    call: DatabaseCall,
    fn: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const driver = this.opened();
    // Before the breaker: a schema not applied yet is not a call that failed.
    this.schema?.check();
    try {
      return await this.calls.run(driver, call, fn);
    } catch (error) {
      // After the breaker, which counted a missing table as the SQL error (an answer) it is.
      throw this.schema?.lost(error) ?? error;
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
