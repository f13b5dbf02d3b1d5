import { setTimeout as sleep } from 'node:timers/promises';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';
import { runDetached } from '../request-context/context.store.js';
import { databaseConfigError } from './connect.config-error.js';
import type { DatabaseDriver } from './database.driver.js';
import { DbSchemaPendingError, isDbFailure } from './database.errors.js';
import { isMissingTable } from './driver-error.classifier.js';
import { attemptMigrations } from './schema.migration-attempt.js';
import { retryDelayMs, type SchemaStartupBounds } from './schema.startup-bounds.js';

const log = logger.child({ module: 'database' });

/**
 * Brings the schema up to date at start-up. A server that is away then (refused, unreachable,
 * not answering in DB_CONNECT_TIMEOUT_MS) does not stop the pod: exiting put every new pod of a
 * rollout during a database outage into CrashLoopBackOff, whose back-off (up to 5 minutes) kept
 * them down long after the database was back, and took routes that need no database with them.
 * The pod starts instead, data routes answer 503 DB_UNAVAILABLE at once (`ready` is false), and
 * the migrations are retried in the background (exponential back-off with jitter, capped at
 * 4 s) until they apply. A server that takes the connection and then stops answering (frozen,
 * or a path that lost the flow) fails an attempt the same way: every statement of one has a
 * client-side bound (schema.migration-attempt.ts), else it waited forever and no retry ever came,
 * however soon the server answered new connections again. What no retry changes still stops
 * start-up: a refusal the settings explain (connect.config-error.ts, exit 78) or a migration the
 * server rejects (exit 1). Shutdown stops the attempts (`stop`). A schema that disappears later
 * (`lost`) is applied again the same way.
 */
export class SchemaStartup {
  private applied = false;
  private readonly stopped = new AbortController();
  /** The attempt running now, if any: what `stop` waits for. */
  private running?: Promise<void>;
  private stopping?: Promise<void>;
  /** The background's attempts (the first failed, or the schema was lost), while they run. */
  private retries?: Promise<void>;
  private readonly lostLines = new LogThrottle();

  constructor(
    private readonly driver: DatabaseDriver,
    private readonly timeouts: SchemaStartupBounds,
  ) {}

  /** The schema is up to date: statements may run. */
  get ready(): boolean {
    return this.applied;
  }

  /**
   * The first attempt; on an outage, returns and keeps trying in the background. Stopped (a
   * signal during start-up), returns with the schema not applied: start-up ends, and the drain
   * the signal asked for follows.
   */
  async start(): Promise<void> {
    if (this.stopped.signal.aborted) return;
    const started = performance.now();
    try {
      await this.attempt(started);
    } catch (error) {
      if (this.stopped.signal.aborted) return;
      // A refusal the settings explain may come wrapped as DB_UNAVAILABLE: asked first.
      const misconfigured = databaseConfigError(error);
      if (misconfigured) throw misconfigured;
      if (!isDbFailure(error)) throw error;
      log.warn(
        { err: error },
        'database unavailable at start-up: serving without it (data routes answer 503) ' +
          'and retrying the migrations in the background',
      );
      this.retryInBackground(started);
    }
  }

  /** Throws 503 DB_UNAVAILABLE while the migrations have not been applied. */
  check(): void {
    if (!this.applied) {
      throw new DbSchemaPendingError(new Error('schema migrations not applied yet'));
    }
  }

  /**
   * What a failed statement answers: a table missing (42P01) means the server is not the one the
   * migrations ran on (a new or restored cluster, the database dropped and created again), and
   * every data route answered 500 until a restart, readiness `up`. The schema is pending again
   * instead (503 DB_UNAVAILABLE), and the migrations are applied in the background.
   */
  lost(error: unknown): unknown {
    if (!isMissingTable(error)) return error;
    if (this.applied && !this.stopped.signal.aborted) {
      this.applied = false;
      // Throttled: a table dropped by hand, its migration still recorded, is lost on every use.
      const line = this.lostLines.take();
      if (line) {
        log.error(
          { err: error, ...line },
          'the schema is gone from the database (a new or restored server?): data routes answer ' +
            '503 while the migrations are applied again',
        );
      }
      // Found by a request's statement, but not part of it (its span, its log ids).
      runDetached(() => this.retryInBackground(performance.now()));
    }
    return new DbSchemaPendingError(error);
  }

  /**
   * Stops trying, for shutdown: the retry timer is cleared, and an attempt in flight is cut short
   * (its statement cancelled on the server, the migration it ran rolled back, the advisory lock
   * let go; on a server that ignores the cancel, its connection destroyed after `stopGraceMs`),
   * logged once it has ended. Resolves then; never rejects. Left running, an attempt held the
   * pool's end, and the drain, to SHUTDOWN_TIMEOUT_MS (waiting for the lock, a long migration),
   * and a migration blocked on the server outlived the process, lock and all.
   */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const attempt = this.running;
    this.stopped.abort(new Error('schema migrations stopped: shutting down'));
    this.stopping = this.afterStop(attempt, performance.now());
    return this.stopping;
  }

  private async afterStop(attempt: Promise<void> | undefined, since: number): Promise<void> {
    const during = attempt ? 'attempt' : this.retries ? 'retry wait' : 'not started';
    await attempt?.catch(() => undefined);
    if (this.applied) return;
    log.warn(
      { during, stoppedInMs: Math.round(performance.now() - since) },
      'schema migrations stopped by shutdown, not applied: the next start applies them',
    );
  }

  private attempt(started: number): Promise<void> {
    this.running = this.migrate(started).finally(() => (this.running = undefined));
    return this.running;
  }

  private async migrate(started: number): Promise<void> {
    const done = await attemptMigrations(this.driver, this.timeouts, this.stopped.signal);
    this.applied = true;
    log.info(
      { driver: this.driver.kind, applied: done, ms: Math.round(performance.now() - started) },
      'database ready',
    );
  }

  private retryInBackground(started: number): void {
    this.retries ??= this.retry(started).finally(() => (this.retries = undefined));
  }

  private async retry(started: number): Promise<void> {
    const { signal } = this.stopped;
    for (let attempt = 1; !signal.aborted; attempt++) {
      const delay = retryDelayMs(attempt);
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
}
