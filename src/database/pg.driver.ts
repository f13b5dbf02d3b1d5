import pg from 'pg';
import type { AppConfig } from '../config/config.schema.js';
import { ConnectionGate } from './connection.gate.js';
import type {
  DatabaseDriver,
  PoolStats,
  RunOptions,
  SqlResult,
  SqlSession,
} from './database.driver.js';
import { classifyDriverError } from './driver-error.classifier.js';
import { DbUnavailableError, isDbUnavailable } from './database.errors.js';
import { sendCancelRequest } from './pg.cancel.js';

/** Client with the backend identity node-postgres keeps after the startup handshake. */
type BackendClient = pg.PoolClient & {
  processID: number | null;
  secretKey: number | null;
  host: string;
  port: number;
};

/**
 * PostgreSQL through a bounded `pg` pool. Per `run`:
 * 1. wait for a slot in the gate (≤ DB_POOL_ACQUIRE_TIMEOUT_MS → DB_POOL_TIMEOUT; abort leaves);
 * 2. take or open a connection (≤ DB_CONNECT_TIMEOUT_MS; refused/timeout → DB_UNAVAILABLE);
 * 3. run; if the request aborts meanwhile, send a CancelRequest so the server stops working
 *    for nobody, and throw the abort reason (504 on deadline);
 * 4. release; a connection that was cancelled or broke is destroyed, not reused, so a late
 *    cancel can never hit the next request's statement.
 * The gate has exactly DB_POOL_MAX slots, so the pool never opens more connections than that.
 */
export class PgDriver implements DatabaseDriver {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly gate: ConnectionGate;

  constructor(config: AppConfig) {
    this.gate = new ConnectionGate(config.DB_POOL_MAX);
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
    await this.gate.acquire(options.acquireTimeoutMs, signal);
    let client: BackendClient;
    try {
      client = (await this.pool.connect()) as BackendClient;
    } catch (error) {
      this.gate.release();
      throw classifyDriverError(error, signal);
    }
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
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
      return await fn(sessionOf(client));
    } catch (error) {
      const classified = classifyDriverError(error, signal);
      if (isDbUnavailable(classified)) broken = classified;
      throw classified;
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.removeListener('error', onError);
      client.release(cancelled || broken !== undefined);
      this.gate.release();
    }
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

function sessionOf(client: pg.PoolClient): SqlSession {
  return {
    async query<R>(sql: string, params?: readonly unknown[], name?: string): Promise<SqlResult<R>> {
      const values = params as unknown[] | undefined;
      const result = name
        ? await client.query({ name, text: sql, values })
        : await client.query(sql, values);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}
