import { adminQuery } from './database.js';

/** Which of the waiting sessions to name; without either, all of the database's. */
export interface LockWaitFilter {
  /** Its application_name: one app's sessions (its DB_APPLICATION_NAME). */
  application?: string;
  /** How its statement's text begins (`DELETE`, `SELECT version FROM items`). */
  queryStart?: string;
}

/**
 * Pids of the sessions of `url`'s database waiting on a lock: a statement behind a row or table
 * lock held. Read on a session of its own: one inside a transaction (a test's locker) reads
 * pg_stat_activity's sessions and statements as its first read there found them.
 */
export async function lockWaiters(url: string, filter: LockWaitFilter = {}): Promise<number[]> {
  const rows = await adminQuery<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'
        AND ($1::text IS NULL OR application_name = $1)
        AND ($2::text IS NULL OR starts_with(query, $2))`,
    [filter.application ?? null, filter.queryStart ?? null],
    url,
  );
  return rows.map((row) => row.pid);
}
