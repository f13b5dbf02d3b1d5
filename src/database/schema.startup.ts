import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logging/logger.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import { databaseConfigError } from './connect.config-error.js';
import type { DatabaseDriver } from './database.driver.js';
import { DbUnavailableError, isDbFailure } from './database.errors.js';
import { MIGRATIONS } from './database.migrations.js';
import { migrate } from './database.migrator.js';

const log = logger.child({ module: 'database' });

/** A replica waiting for another's migrations says so this often. */
const WAIT_LOG_INTERVAL_MS = 5_000;
/** Retries of a start-up migration the server was away for: first delay, and the cap. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * Brings the schema up to date at start-up. A server that is away then (refused, unreachable,
 * not answering in DB_CONNECT_TIMEOUT_MS) does not stop the pod: exiting put every new pod of a
 * rollout during a database outage into CrashLoopBackOff, whose back-off (up to 5 minutes) kept
 * them down long after the database was back, and took routes that need no database with them.
 * The pod starts instead, data routes answer 503 DB_UNAVAILABLE at once (`ready` is false), and
 * the migrations are retried in the background (exponential back-off with jitter, capped at
 * 10 s) until they apply. A server that takes the connection and then stops answering (frozen,
 * or a path that lost the flow) fails an attempt the same way: every statement of one has a
 * client-side bound (below), else it waited forever and no retry ever came, however soon the
 * server answered new connections again. What no retry changes still stops start-up: a refusal
 * the settings explain (connect.config-error.ts, exit 78) or a migration the server rejects
 * (exit 1).
 */
export class SchemaStartup {
  private applied = false;
  private readonly stopped = new AbortController();
  private loggedWaitAt = -Infinity;

  constructor(
    private readonly driver: DatabaseDriver,
    private readonly timeouts: {
      /** DB_CONNECT_TIMEOUT_MS: the wait for a connection. */
      connectMs: number;
      /** DB_QUERY_TIMEOUT_MS: each short statement, and each turn of the wait for the lock. */
      queryMs: number;
      /** DB_MIGRATION_TIMEOUT_MS: each migration's own SQL. */
      migrationMs: number;
    },
  ) {}

  /** The schema is up to date: statements may run. */
  get ready(): boolean {
    return this.applied;
  }

  /** The first attempt; on an outage, returns and keeps trying in the background. */
  async start(): Promise<void> {
    const started = performance.now();
    try {
      await this.attempt(started);
    } catch (error) {
      // A refusal the settings explain may come wrapped as DB_UNAVAILABLE: asked first.
      const misconfigured = databaseConfigError(error);
      if (misconfigured) throw misconfigured;
      if (!isDbFailure(error)) throw error;
      log.warn(
        { err: error },
        'database unavailable at start-up: serving without it (data routes answer 503) ' +
          'and retrying the migrations in the background',
      );
      void this.retry(started);
    }
  }

  /** Throws 503 DB_UNAVAILABLE while the migrations have not been applied. */
  check(): void {
    if (!this.applied) {
      throw new DbUnavailableError(new Error('schema migrations not applied yet'));
    }
  }

  stop(): void {
    this.stopped.abort();
  }

  private async attempt(started: number): Promise<void> {
    this.loggedWaitAt = -Infinity;
    const done = await this.driver.run(
      (session) =>
        migrate(session, MIGRATIONS, {
          onWaiting: (waitedMs) => this.waiting(waitedMs),
          // A long migration is not a server that stopped answering: it has a bound of its own.
          migrationTimeoutMs: this.timeouts.migrationMs,
        }),
      {
        signal: NEVER_ABORTS,
        acquireTimeoutMs: this.timeouts.connectMs,
        // Waiting for another replica's migrations is a short statement every 250 ms
        // (database.migrator.ts): the wait has no bound, each of its turns has this one.
        queryTimeoutMs: this.timeouts.queryMs,
      },
    );
    this.applied = true;
    log.info(
      { driver: this.driver.kind, applied: done, ms: Math.round(performance.now() - started) },
      'database ready',
    );
  }

  private async retry(started: number): Promise<void> {
    const { signal } = this.stopped;
    for (let attempt = 1; !signal.aborted; attempt++) {
      const cap = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1));
      // Equal jitter: replicas that failed together do not all come back in one instant.
      const delay = cap / 2 + Math.random() * (cap / 2);
      const slept = await sleep(delay, true, { signal, ref: false }).catch(() => false);
      if (!slept) return;
      try {
        await this.attempt(started);
        return;
      } catch (error) {
        if (signal.aborted) return;
        // Still away, or back but refusing what the settings ask (a missing database, a wrong
        // password): neither is fixed by exiting now, and both are logged while they last.
        log.warn(
          { err: databaseConfigError(error) ?? error, attempt },
          'schema migrations still not applied: the database is unavailable',
        );
      }
    }
  }

  private waiting(waitedMs: number): void {
    if (waitedMs - this.loggedWaitAt < WAIT_LOG_INTERVAL_MS) return;
    this.loggedWaitAt = waitedMs;
    log.info(
      { waitedMs: Math.round(waitedMs) },
      'waiting for the migration lock: another replica is migrating',
    );
  }
}
