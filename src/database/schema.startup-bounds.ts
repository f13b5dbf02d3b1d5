import type { AppConfig } from '../config/config.schema.js';

/**
 * Retries of a start-up migration the server was away for: first delay, and the cap. The cap
 * keeps a pod started during an outage within 5 s of serving once the server answers, as a
 * running pod's breaker probe does (each second): at 10 s, such a pod answered 503 for up to
 * 10 s after the database was back. A retry against a server that is away costs a refused or
 * timed-out connect.
 */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 4_000;

/** The bounds of each wait in a start-up migration attempt (schema.migration-attempt.ts), ms. */
export interface SchemaStartupBounds {
  /** The wait for a connection. */
  connectMs: number;
  /** Each short statement, and each turn of the wait for another replica's lock. */
  queryMs: number;
  /** Each migration's own SQL, which may run long on a live server. */
  migrationMs: number;
  /** Once shutdown cancelled the attempt, how long its session may go on before its
   * connection is destroyed (pg.abort.ts). */
  stopGraceMs: number;
}

/**
 * Which knob bounds each wait. The stop's grace is DB_HEALTH_TIMEOUT_MS, the breaker probe's
 * budget: a live server acts on a cancel sooner than it answers that probe (a connection to it
 * either way, then a signal to the backend rather than a session and a SELECT 1), so one silent
 * this long has stopped answering, as the probe judges it. Waiting instead for the statement's
 * own bound (6 s for a short one, 5 minutes for a migration) took the drain past
 * SHUTDOWN_TIMEOUT_MS (exit 1). Too short costs little: the cancel was sent, and the server,
 * once it reads the closed connection, rolls back and drops the lock itself.
 */
export function schemaStartupBounds(config: AppConfig): SchemaStartupBounds {
  return {
    connectMs: config.DB_CONNECT_TIMEOUT_MS,
    queryMs: config.DB_QUERY_TIMEOUT_MS,
    migrationMs: config.DB_MIGRATION_TIMEOUT_MS,
    stopGraceMs: config.DB_HEALTH_TIMEOUT_MS,
  };
}

/** The pause before the background's `attempt`th try (1, 2, …): doubling up to the cap. */
export function retryDelayMs(attempt: number): number {
  const cap = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1));
  // Equal jitter: replicas that failed together do not all come back in one instant.
  return cap / 2 + Math.random() * (cap / 2);
}
