import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
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
import { checkDataDir } from './pglite.datadir-check.js';
import { PGLITE_CONF, throwawayDataDir } from './pglite.datadir.js';

/**
 * Embedded PostgreSQL (PGlite: PostgreSQL compiled to WASM, in this process), used when
 * DATABASE_URL is unset so `npm start` and the tests need no server. It has exactly one
 * session, so the gate has one slot: a transaction owns the database until it ends, and
 * waiting callers get the same deadline-bounded wait and refusals as with the real pool.
 * Statements run on this thread and cannot be interrupted; an aborted request stops waiting
 * and gets its 504 while the statement finishes.
 */
export class PgliteDriver implements DatabaseDriver {
  readonly kind = 'pglite';
  private readonly gate: ConnectionGate;

  private constructor(
    private readonly db: PGlite,
    config: AppConfig,
    /** The throwaway data directory (DATA_DIR unset), removed at close. */
    private readonly throwaway?: string,
  ) {
    this.gate = new ConnectionGate({
      max: 1,
      queueMax: config.DB_POOL_QUEUE_MAX,
      intervalMs: config.DB_POOL_QUEUE_INTERVAL_MS,
      targetMs: config.DB_POOL_QUEUE_TARGET_MS,
    });
  }

  /**
   * Opens under DATA_DIR when set (survives restarts), else in a throwaway copy of a cached,
   * pre-initialised cluster (starts empty every time; pglite.datadir.ts says why not initdb).
   */
  static async open(config: AppConfig): Promise<PgliteDriver> {
    // Before the package loads. startApp checked it before anything started; checked again for
    // a caller that opens the driver alone, and for a directory changed since.
    if (config.DATA_DIR) await checkDataDir(config.DATA_DIR);
    // Loaded only here: the WASM bundle costs start-up time the pg path never pays.
    const { PGlite } = await import('@electric-sql/pglite');
    const throwaway = config.DATA_DIR ? undefined : await throwawayDataDir(PGlite);
    // int8 as text, as node-postgres returns it, so both drivers hand repositories equal rows.
    const db = await PGlite.create(config.DATA_DIR ?? throwaway, {
      parsers: { 20: (value: string) => value },
      postgresqlconf: PGLITE_CONF,
    });
    return new PgliteDriver(db, config, throwaway);
  }

  async run<T>(fn: (session: SqlSession) => Promise<T>, options: RunOptions): Promise<T> {
    const { signal } = options;
    const acquiredAt = await this.gate.acquire({
      signal,
      timeoutMs: options.acquireTimeoutMs,
      deadline: options.deadline,
    });
    try {
      signal.throwIfAborted();
      const result = await fn(this.sessionFor(options.onSent));
      // The statements ran on this thread, so a deadline that passed meanwhile could not fire its
      // timer, and the answer went out as if in time (200 on a 1 ms deadline). A timer of ours
      // runs after the overdue one: the request's own abort happens, and it is thrown below.
      if (options.deadline !== undefined && Date.now() >= options.deadline) {
        await sleep(1);
        signal.throwIfAborted();
      }
      return result;
    } catch (error) {
      throw classifyDriverError(error, signal);
    } finally {
      this.gate.release(acquiredAt);
    }
  }

  /** In-process: it cannot be unreachable; the probe only proves the WASM instance answers. */
  async probe(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  rejectWaiting(error: unknown): void {
    this.gate.rejectAll(error);
  }

  stats(): PoolStats {
    return { max: 1, total: 1, idle: 1 - this.gate.inUse, waiting: this.gate.waiting };
  }

  async close(): Promise<void> {
    await this.db.close();
    if (this.throwaway) await rm(this.throwaway, { recursive: true, force: true });
  }

  /** The one session, telling `onSent` of each statement handed to PGlite. */
  private sessionFor(onSent?: () => void): SqlSession {
    if (!onSent) return this.session;
    return {
      query: <R>(sql: string, params?: readonly unknown[]) => {
        onSent();
        return this.session.query<R>(sql, params);
      },
      exec: (sql: string) => {
        onSent();
        return this.session.exec(sql);
      },
    };
  }

  private readonly session: SqlSession = {
    query: async <R>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>> => {
      const result = await this.db.query<R>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
    },
    exec: async (sql: string): Promise<void> => {
      await this.db.exec(sql);
    },
  };
}
