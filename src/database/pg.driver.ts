import pg from 'pg';
import type { AppConfig } from '../config/config.schema.js';
import { ConnectionGate } from './connection.gate.js';
import type { DatabaseDriver, PoolStats, RunOptions, SqlSession } from './database.driver.js';
import { classifyDriverError, sqlState, TOO_MANY_CONNECTIONS } from './driver-error.classifier.js';
import { DbUnavailableError, isDbFailure, isDbQueryTimeout } from './database.errors.js';
import { watchAbort, type AbortWatch } from './pg.abort.js';
import { connectUnlessAborted, type ConnectOutcome } from './pg.connect.js';
import { OpeningConnections } from './pg.opening.js';
import { sessionStartup } from './pg.startup-options.js';
import { abandon, timedSessionOf, type BackendClient } from './pg.session.js';
import { logger } from '../logging/logger.js';

const log = logger.child({ module: 'database' });

// How long the pool keeps to the connections it has after the server refused one more for want
// of a slot (53300), before it asks for another: slots free as other clients of the server
// close theirs, and asking on every request would be refused as often.
const SLOTS_RETRY_AFTER_MS = 1_000;
// Connects refused for want of a slot that one call sits out before it fails: each time the
// pool had fewer connections (another one closed meanwhile), so this ends.
const SLOT_RETRIES = 3;

/**
 * PostgreSQL through a bounded `pg` pool. Per `run`:
 * 1. wait for a slot in the gate (bounded by the request's deadline and DB_POOL_ACQUIRE_TIMEOUT_MS
 *    → DB_POOL_TIMEOUT, or refused at once: DB_POOL_SATURATED, DB_QUEUE_FULL; abort leaves);
 * 2. take or open a connection (≤ DB_CONNECT_TIMEOUT_MS; refused/timeout → DB_UNAVAILABLE; no
 *    server slot left while the pool has connections → back to 1, for one of those);
 * 3. run; if the request aborts meanwhile, send a CancelRequest so the server stops working
 *    for nobody (and, with `cancelGraceMs`, destroy the connection if the run is not over by
 *    then, telling `onCancelIgnored`: pg.abort.ts), and throw the abort reason (504 on
 *    deadline); a statement unanswered for DB_QUERY_TIMEOUT_MS is abandoned (DB_QUERY_TIMEOUT)
 *    and its socket destroyed;
 * 4. release; a connection that was cancelled, abandoned or broke is destroyed, not reused, so
 *    a late cancel can never hit the next request's statement.
 * The gate has exactly DB_POOL_MAX slots, so the pool never opens more connections than that.
 */
export class PgDriver implements DatabaseDriver {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly gate: ConnectionGate;
  private readonly opening = new OpeningConnections();

  constructor(private readonly config: AppConfig) {
    this.gate = new ConnectionGate({
      max: config.DB_POOL_MAX,
      queueMax: config.DB_POOL_QUEUE_MAX,
      intervalMs: config.DB_POOL_QUEUE_INTERVAL_MS,
      targetMs: config.DB_POOL_QUEUE_TARGET_MS,
    });
    this.pool = new pg.Pool({
      // With client_connection_check_interval: a destroyed connection's session ends on the
      // server once it sees the close (pg.startup-options.ts).
      ...sessionStartup(config.DATABASE_URL!, config.DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS),
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
      Client: this.opening.Client,
    });
    // An idle connection dropped by the server (restart, failover) emits here; pg-pool already
    // discards it. Without a listener the process would crash on an unhandled 'error'.
    this.pool.on('error', () => undefined);
  }

  run<T>(fn: (session: SqlSession) => Promise<T>, options: RunOptions): Promise<T> {
    return this.runHolding(fn, options, SLOT_RETRIES);
  }

  private async runHolding<T>(
    fn: (session: SqlSession) => Promise<T>,
    options: RunOptions,
    slotRetries: number,
  ): Promise<T> {
    const { signal } = options;
    const acquiredAt = await this.gate.acquire({
      signal,
      timeoutMs: options.acquireTimeoutMs,
      deadline: options.deadline,
    });
    // No idle connection: the pool opens one for this holder (connection.gate.ts, `standing`).
    const opened =
      this.pool.idleCount === 0 && this.pool.totalCount < this.gate.max
        ? this.gate.openingConnection()
        : undefined;
    let outcome: ConnectOutcome;
    try {
      outcome = await connectUnlessAborted(this.pool, this.opening, signal, options.cancelGraceMs);
    } catch (error) {
      opened?.();
      // No slot on the server for one more connection, and the pool has some: wait for one of
      // them (in the gate, within the deadline) rather than fail a request they can serve.
      const waitForOpen =
        sqlState(error) === TOO_MANY_CONNECTIONS &&
        slotRetries > 0 &&
        this.limitToOpenConnections();
      this.gate.release(acquiredAt);
      if (waitForOpen) return this.runHolding(fn, options, slotRetries - 1);
      throw classifyDriverError(error, signal);
    }
    if (outcome.abandoned) {
      // A connect still pending when its caller left: the server may have stopped answering.
      // Its slot comes back once the connect is over: opened, failed, or destroyed a
      // `cancelGraceMs` after the caller left (pg.connect.ts).
      options.onCancelled?.(outcome.abandoned.afterMs);
      void outcome.abandoned.settled.then(() => {
        opened?.();
        this.gate.release(acquiredAt);
      });
      throw signal.reason;
    }
    opened?.();
    const client = outcome.client!;
    let broken: unknown;
    // pg-pool drops its own 'error' listener while a client is checked out; a socket dying
    // between two statements would otherwise crash the process (node-postgres docs, "Pool").
    const onError = (error: unknown) => (broken = new DbUnavailableError(error));
    client.on('error', onError);
    let abort: AbortWatch | undefined;
    try {
      signal.throwIfAborted();
      abort = watchAbort(client, signal, {
        graceMs: options.cancelGraceMs,
        onCancelled: options.onCancelled,
        onCancelIgnored: options.onCancelIgnored,
      });
      return await fn(
        timedSessionOf(client, options.queryTimeoutMs ?? this.config.DB_QUERY_TIMEOUT_MS),
      );
    } catch (error) {
      if (isDbQueryTimeout(error)) abort?.boundReached();
      const classified = classifyDriverError(error, signal);
      if (isDbFailure(classified)) broken = classified;
      throw classified;
    } finally {
      abort?.stop();
      client.removeListener('error', onError);
      client.release(abort?.cancelled === true || broken !== undefined);
      this.gate.release(acquiredAt);
    }
  }

  /** Holds the gate to the pool's open connections for a while; false when it has none. */
  private limitToOpenConnections(): boolean {
    const open = this.pool.totalCount;
    const wasFull = this.gate.capacity === this.gate.max;
    if (!this.gate.limitTo(open, SLOTS_RETRY_AFTER_MS)) return false;
    if (wasFull) {
      log.warn(
        { open, max: this.gate.max, forMs: SLOTS_RETRY_AFTER_MS },
        'PostgreSQL has no connection slot to spare: requests wait for the connections the pool has',
      );
    }
    return true;
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

  /** Ends the pool; connections still opening are destroyed, not waited for (pg.opening.ts). */
  async close(): Promise<void> {
    const ended = this.pool.end();
    this.opening.destroyAll();
    await ended;
  }
}
