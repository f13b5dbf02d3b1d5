import pg from 'pg';
import type { AppConfig } from '../config/config.schema.js';
import { ConnectionGate } from './connection.gate.js';
import type { DatabaseDriver, PoolStats, RunOptions, SqlSession } from './database.driver.js';
import { classifyDriverError, sqlState, TOO_MANY_CONNECTIONS } from './driver-error.classifier.js';
import { DbUnavailableError, isDbFailure } from './database.errors.js';
import { sendCancelRequest } from './pg.cancel.js';
import { abandon, timedSessionOf, type BackendClient } from './pg.session.js';

/**
 * PostgreSQL through a bounded `pg` pool. Per `run`:
 * 1. wait for a slot in the gate (bounded by the request's deadline and DB_POOL_ACQUIRE_TIMEOUT_MS
 *    → DB_POOL_TIMEOUT, or refused at once: DB_POOL_SATURATED, DB_QUEUE_FULL; abort leaves);
 * 2. take or open a connection (≤ DB_CONNECT_TIMEOUT_MS; refused/timeout → DB_UNAVAILABLE);
 * 3. run; if the request aborts meanwhile, send a CancelRequest so the server stops working
 *    for nobody, and throw the abort reason (504 on deadline); a statement unanswered for
 *    DB_QUERY_TIMEOUT_MS is abandoned (DB_QUERY_TIMEOUT) and its socket destroyed;
 * 4. release; a connection that was cancelled, abandoned or broke is destroyed, not reused, so
 *    a late cancel can never hit the next request's statement.
 * The gate has exactly DB_POOL_MAX slots, so the pool never opens more connections than that.
 */
export class PgDriver implements DatabaseDriver {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly gate: ConnectionGate;

  constructor(private readonly config: AppConfig) {
    this.gate = new ConnectionGate({
      max: config.DB_POOL_MAX,
      queueMax: config.DB_POOL_QUEUE_MAX,
      intervalMs: config.DB_POOL_QUEUE_INTERVAL_MS,
      targetMs: config.DB_POOL_QUEUE_TARGET_MS,
    });
    this.pool = new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: config.DB_POOL_MAX,
      idleTimeoutMillis: config.DB_IDLE_TIMEOUT_MS,
      connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
      // Recycling connections lets a failover or a DNS change reach every pod, and spreads
      // load again after PgBouncer/replica changes (HikariCP's maxLifetime, same reasoning).
      maxLifetimeSeconds: Math.ceil(config.DB_CONNECTION_MAX_LIFETIME_MS / 1000),
      // Server-side backstop for statements whose cancel was lost (0 = off).
      statement_timeout: config.DB_STATEMENT_TIMEOUT_MS || undefined,
      application_name: config.DB_APPLICATION_NAME,
      keepAlive: true,
    });
    // An idle connection dropped by the server (restart, failover) emits here; pg-pool already
    // discards it. Without a listener the process would crash on an unhandled 'error'.
    this.pool.on('error', () => undefined);
  }

  async run<T>(fn: (session: SqlSession) => Promise<T>, options: RunOptions): Promise<T> {
    const { signal } = options;
    const acquiredAt = await this.gate.acquire({
      signal,
      timeoutMs: options.acquireTimeoutMs,
      deadline: options.deadline,
    });
    let client: BackendClient;
    // No idle connection: the pool opens one for this holder (connection.gate.ts, `standing`).
    const opened =
      this.pool.idleCount === 0 && this.pool.totalCount < this.gate.max
        ? this.gate.openingConnection()
        : undefined;
    try {
      client = (await this.pool.connect()) as BackendClient;
    } catch (error) {
      this.gate.release(acquiredAt);
      throw classifyDriverError(error, signal);
    } finally {
      opened?.();
    }
    let cancelled = false;
    const runningSince = performance.now();
    const onAbort = () => {
      cancelled = true;
      options.onCancelled?.(performance.now() - runningSince);
      if (client.processID !== null && client.secretKey !== null) {
        sendCancelRequest(client, client.processID, client.secretKey);
      }
    };
    let broken: unknown;
    // pg-pool drops its own 'error' listener while a client is checked out; a socket dying
    // between two statements would otherwise crash the process (node-postgres docs, "Pool").
    const onError = (error: unknown) => (broken = new DbUnavailableError(error));
    client.on('error', onError);
    try {
      signal.throwIfAborted();
      signal.addEventListener('abort', onAbort, { once: true });
      return await fn(
        timedSessionOf(client, options.queryTimeoutMs ?? this.config.DB_QUERY_TIMEOUT_MS),
      );
    } catch (error) {
      const classified = classifyDriverError(error, signal);
      if (isDbFailure(classified)) broken = classified;
      throw classified;
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.removeListener('error', onError);
      client.release(cancelled || broken !== undefined);
      this.gate.release(acquiredAt);
    }
  }

  async probe(timeoutMs: number): Promise<void> {
    // A client of its own, not the pool's: while the server hangs, every pool slot may be held
    // by a statement waiting for its DB_QUERY_TIMEOUT_MS, and the probe must not queue behind them.
    const client = new pg.Client({
      connectionString: this.config.DATABASE_URL,
      connectionTimeoutMillis: timeoutMs,
      application_name: `${this.config.DB_APPLICATION_NAME.slice(0, 57)}-probe`,
    }) as BackendClient;
    client.on('error', () => undefined);
    const timer = setTimeout(() => abandon(client), timeoutMs);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      abandon(client);
      // "Too many clients": the server answered, it has no connection slot to spare; the pool's
      // connections still work. Not a server that is down.
      if (sqlState(error) === TOO_MANY_CONNECTIONS) return;
      throw error;
    } finally {
      clearTimeout(timer);
    }
    client.end().catch(() => undefined);
  }

  rejectWaiting(error: unknown): void {
    this.gate.rejectAll(error);
  }

  stats(): PoolStats {
    return {
      max: this.gate.max,
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.gate.waiting,
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
