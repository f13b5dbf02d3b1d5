import type { SqlSession } from './database.driver.js';
import type { Migration } from './database.migrations.js';

/** Arbitrary but fixed: every replica of rampart must use the same advisory lock key. */
export const MIGRATION_LOCK_KEY = 727_100_001;

/**
 * Applies pending migrations, each in its own transaction, while holding a session-level
 * advisory lock: replicas starting together queue on the lock, and the ones that get it after
 * the first find nothing left to do — none fails, none applies a migration twice.
 * Returns the versions this call applied.
 */
export async function migrate(
  session: SqlSession,
  migrations: readonly Migration[],
): Promise<number[]> {
  // Waiting for another replica's migrations may outlast DB_STATEMENT_TIMEOUT_MS, and so may a
  // migration; RESET below returns the session to the pool's default.
  await session.exec('SET statement_timeout = 0');
  await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await session.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await session.query<{ version: number }>(
      'SELECT version FROM schema_migrations',
    );
    const applied = new Set(rows.map((r) => Number(r.version)));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await session.exec('BEGIN');
      try {
        await session.exec(migration.sql);
        await session.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await session.exec('COMMIT');
      } catch (error) {
        await session.exec('ROLLBACK');
        throw error;
      }
      done.push(migration.version);
    }
    return done;
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    await session.exec('RESET statement_timeout');
  }
}
