import type pg from 'pg';
import { MIGRATION_LOCK_KEY, migrate } from '../../src/database/database.migrator.js';
import { MIGRATIONS } from '../../src/database/database.migrations.js';
import { adminQuery, PG_ADMIN_URL } from './database.js';

/** The migration lock's entries in pg_locks for `database` (on the server of `url`): who holds
 * it, who waits. */
export async function migrationLocks(
  database: string,
  url = PG_ADMIN_URL,
): Promise<Array<{ pid: number; granted: boolean }>> {
  // A bigint key shows as classid (high 32 bits), objid (low 32 bits), objsubid 1.
  return adminQuery(
    `SELECT l.pid, l.granted FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND d.datname = $1 AND l.classid = 0 AND l.objid = $2
        AND l.objsubid = 1`,
    [database, MIGRATION_LOCK_KEY],
    url,
  );
}

/**
 * Applies migration 1 on `holder`'s database, then keeps migration 2 (an index) waiting: a
 * transaction on `holder` holds its table's lock until the test ends it. A long migration, on a
 * live server.
 */
export async function holdTheSecondMigration(holder: pg.Client): Promise<void> {
  await migrate(
    {
      query: async (sql, params) => {
        const { rows, rowCount } = await holder.query(sql, params as unknown[] | undefined);
        return { rows, rowCount: rowCount ?? 0 };
      },
      exec: async (sql) => void (await holder.query(sql)),
    },
    MIGRATIONS.slice(0, 1),
  );
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE item_idempotency_keys IN ACCESS EXCLUSIVE MODE');
}

/** Log lines at error or fatal (pino levels 50, 60), and any unhandled rejection or exception. */
export function failures(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(50|60)|unhandled|uncaught/i.test(line));
}
