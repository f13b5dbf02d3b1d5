import { logger } from '../logging/logger.js';
import type { DatabaseDriver } from './database.driver.js';
import { MIGRATIONS } from './database.migrations.js';
import { migrate } from './database.migrator.js';
import type { SchemaStartupBounds } from './schema.startup-bounds.js';

const log = logger.child({ module: 'database' });

/** A replica waiting for another's migrations says so this often. */
const WAIT_LOG_INTERVAL_MS = 5_000;

/**
 * One attempt at bringing the schema up to date, on one session; when to make one (at start, on
 * a back-off, once the schema is lost) is SchemaStartup's (schema.startup.ts). Every statement of
 * it has a client-side bound (`bounds`), so on a server that took the connection and then stopped
 * answering the attempt fails, to be retried, instead of waiting forever. `signal` (shutdown)
 * cancels it. Resolves with the migrations it applied.
 */
export function attemptMigrations(
  driver: DatabaseDriver,
  bounds: SchemaStartupBounds,
  signal: AbortSignal,
): Promise<number[]> {
  let loggedWaitAt = -Infinity;
  const waiting = (waitedMs: number): void => {
    if (waitedMs - loggedWaitAt < WAIT_LOG_INTERVAL_MS) return;
    loggedWaitAt = waitedMs;
    log.info(
      { waitedMs: Math.round(waitedMs) },
      'waiting for the migration lock: another replica is migrating',
    );
  };
  return driver.run(
    (session) =>
      migrate(session, MIGRATIONS, {
        onWaiting: waiting,
        // A long migration is not a server that stopped answering: it has a bound of its own.
        migrationTimeoutMs: bounds.migrationMs,
        signal,
      }),
    {
      // Cancels the statement in flight on the server (pg.driver.ts, step 3); a server that
      // stopped answering ignores that, and the connection goes after the grace (pg.abort.ts).
      signal,
      cancelGraceMs: bounds.stopGraceMs,
      acquireTimeoutMs: bounds.connectMs,
      // Waiting for another replica's migrations is a short statement every 250 ms
      // (database.migrator.ts): the wait has no bound, each of its turns has this one.
      queryTimeoutMs: bounds.queryMs,
    },
  );
}
