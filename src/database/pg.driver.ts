import pg from 'pg';
import type { AppConfig } from '../config/config.schema.js';
import { ConnectionGate } from './connection.gate.js';
import type { DatabaseDriver, PoolStats, RunOptions, SqlSession } from './database.driver.js';
import { classifyDriverError } from './driver-error.classifier.js';
import { DbUnavailableError, isDbFailure, isDbQueryTimeout } from './database.errors.js';
import { watchAbort, type AbortWatch } from './pg.abort.js';
import { PoolCheckout } from './pg.checkout.js';
import { OpeningConnections } from './pg.opening.js';
import { poolOptions } from './pg.pool-options.js';
import { probeServer } from './pg.probe.js';
import { timedSessionOf } from './pg.session.js';

/**
 * PostgreSQL through a bounded `pg` pool. Per `run`:
 * 1. wait for a slot in the gate (bounded by the request's deadline and DB_POOL_ACQUIRE_TIMEOUT_MS
 *    → DB_POOL_TIMEOUT, or refused at once: DB_POOL_SATURATED, DB_QUEUE_FULL; abort leaves);
 * 2. take or open a connection (≤ DB_CONNECT_TIMEOUT_MS; refused/timeout → DB_UNAVAILABLE; no
 *    server slot left while the pool has connections → back to 1, for one of those; a connect
 *    the caller left is destroyed `cancelGraceMs` later if still not open): pg.checkout.ts;
 * 3. run; if the request aborts meanwhile, send a CancelRequest so the server stops working
 *    for nobody (and, with `cancelGraceMs`, destroy the connection if the run is not over by
 *    then, telling `onCancelIgnored`: pg.abort.ts), send no further statement (pg.session.ts:
 *    the cancel could land on it), and throw the abort reason (504 on deadline); a statement
 *    unanswered for DB_QUERY_TIMEOUT_MS is abandoned (DB_QUERY_TIMEOUT) and its socket
 *    destroyed;
 * 4. release; a connection that was cancelled, abandoned or broke is destroyed, not reused, so
 *    a late cancel can never hit the next request's statement either.
 * The gate has exactly DB_POOL_MAX slots, so the pool never opens more connections than that.
 */
export class PgDriver implements DatabaseDriver {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly gate: ConnectionGate;
  private readonly opening = new OpeningConnections();
  private readonly checkout: PoolCheckout;

  constructor(private readonly config: AppConfig) {
    this.gate = new ConnectionGate({
      max: config.DB_POOL_MAX,
      queueMax: config.DB_POOL_QUEUE_MAX,
      intervalMs: config.DB_POOL_QUEUE_INTERVAL_MS,
      targetMs: config.DB_POOL_QUEUE_TARGET_MS,
    });
    this.pool = new pg.Pool(poolOptions(config, this.opening.Client));
    // An idle connection dropped by the server (restart, failover) emits here; pg-pool already
    // discards it. Without a listener the process would crash on an unhandled 'error'.
    this.pool.on('error', () => undefined);
    this.checkout = new PoolCheckout(this.pool, this.gate, this.opening);
  }

  async run<T>(fn: (session: SqlSession) => Promise<T>, options: RunOptions): Promise<T> {
    const { signal } = options;
    const { client, release } = await this.checkout.take(options);
    let broken: unknown;
    // pg-pool drops its own 'error' listener while a client is checked out; a socket dying
    // between two statements would otherwise crash the process (node-postgres docs, "Pool").
    const onError = (error: unknown) => (broken = new DbUnavailableError(error));
    client.on('error', onError);
    let abort: AbortWatch | undefined;
    try {
      signal.throwIfAborted();
      const session = timedSessionOf(
        client,
        options.queryTimeoutMs ?? this.config.DB_QUERY_TIMEOUT_MS,
        signal,
        options.onSent,
      );
      abort = watchAbort(client, signal, {
        graceMs: options.cancelGraceMs,
        onCancelled: options.onCancelled,
        onCancelIgnored: options.onCancelIgnored,
        running: () => session.running,
      });
      return await fn(session);
    } catch (error) {
      if (isDbQueryTimeout(error)) abort?.boundReached();
      const classified = classifyDriverError(error, signal);
      if (isDbFailure(classified)) broken = classified;
      throw classified;
    } finally {
      abort?.stop();
      client.removeListener('error', onError);
      release(abort?.cancelled === true || broken !== undefined);
    }
  }

  probe(timeoutMs: number): Promise<void> {
    return probeServer(this.config, timeoutMs);
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

  /** Ends the pool; connections still opening are destroyed, not waited for (pg.opening.ts). */
  async close(): Promise<void> {
    const ended = this.pool.end();
    this.opening.destroyAll();
    await ended;
  }
}
