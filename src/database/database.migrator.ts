import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlSession } from './database.driver.js';
import type { Migration } from './database.migrations.js';

/** Arbitrary but fixed: every replica of rampart must use the same advisory lock key. */
export const MIGRATION_LOCK_KEY = 727_100_001;

/**
 * The server drops this session, and the advisory lock with it, within ~30 s of this pod's host
 * going silent (a network partition or a lost node sends no FIN or RST), not after the kernel's
 * default keepalive of 2 h, for which every replica starting meanwhile would wait on a lock
 * nobody holds. TCP keepalive probes after 10 s idle, every 5 s, 3 unanswered; tcp_user_timeout
 * covers data the server sent that is never acknowledged. Ignored on a Unix socket and PGlite.
 */
const DEAD_CLIENT_DETECTION = [
  'SET tcp_keepalives_idle = 10',
  'SET tcp_keepalives_interval = 5',
  'SET tcp_keepalives_count = 3',
  'SET tcp_user_timeout = 30000',
].join('; ');
const DEAD_CLIENT_RESET =
  'RESET tcp_keepalives_idle; RESET tcp_keepalives_interval; RESET tcp_keepalives_count; RESET tcp_user_timeout';

/** How often a replica waiting for the lock asks again. */
const LOCK_POLL_MS = 250;

export interface MigrateOptions {
  /** Called on each turn of a wait for another replica's lock, with the time waited so far. */
  onWaiting?: (waitedMs: number) => void;
  /**
   * The client-side bound on each migration's own SQL, which may run long (DB_MIGRATION_TIMEOUT_MS;
   * 0 = none). Every other statement here is short and keeps the session's bound.
   */
  migrationTimeoutMs?: number;
  /**
   * Shutdown (schema.startup.ts): ends the wait for the lock at once, and applies nothing more.
   * The statement in flight is the driver's to cancel, and on PostgreSQL it is the last this
   * session sends (pg.session.ts): the ROLLBACK and the lock's release below are refused, the
   * session is discarded, and the server rolls back and lets go of the lock as it ends. Sent,
   * they met the cancel when it arrived after the statement it was meant for had ended.
   */
  signal?: AbortSignal;
}

/**
 * Applies pending migrations, each in its own transaction, while holding a session-level
 * advisory lock: replicas starting together queue on the lock, and the ones that get it after
 * the first find nothing left to do — none fails, none applies a migration twice. The lock is
 * asked for again every LOCK_POLL_MS rather than waited on in one statement, so that a replica
 * waiting says so (`onWaiting`) and no statement of its waits long: each keeps the session's
 * client-side bound, and a server that stops answering mid-wait ends the wait there.
 * Returns the versions this call applied.
 */
export async function migrate(
  session: SqlSession,
  migrations: readonly Migration[],
  { onWaiting = notWaiting, migrationTimeoutMs, signal }: MigrateOptions = {},
): Promise<number[]> {
  // A migration may outlast DB_STATEMENT_TIMEOUT_MS; RESET below returns the session to the
  // pool's default.
  await session.exec('SET statement_timeout = 0');
  await session.exec(DEAD_CLIENT_DETECTION);
  const started = performance.now();
  while (!(await tryLock(session))) {
    onWaiting(performance.now() - started);
    await sleep(LOCK_POLL_MS, undefined, { signal });
  }
  let done: number[];
  try {
    done = await applyPending(session, migrations, migrationTimeoutMs, signal);
  } catch (error) {
    // The session may be gone (a statement given up, a reset; the server drops the lock with
    // it): the clean-up must not hide why the attempt failed.
    await release(session).catch(() => undefined);
    throw error;
  }
  await release(session).catch((error: unknown) => {
    // Stopped after the last commit: the session sends nothing more (pg.session.ts) and is
    // discarded, and the server lets go of the lock when it ends. What was applied stays so.
    if (!signal?.aborted) throw error;
  });
  return done;
}

// A named function, not an arrow in the destructuring default: the bundle keeps names, and
// would wrap that arrow to name it (test/build/bundle-names.spec.ts).
function notWaiting(): void {}

async function applyPending(
  session: SqlSession,
  migrations: readonly Migration[],
  migrationTimeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): Promise<number[]> {
  // A stop that came while the lock was being taken: the lock is let go by the caller's catch.
  signal?.throwIfAborted();
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
    signal?.throwIfAborted();
    await session.exec('BEGIN');
    try {
      await session.exec(migration.sql, migrationTimeoutMs);
      await session.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      await session.exec('COMMIT');
    } catch (error) {
      // Fails too on a session given up, and is not the news.
      await session.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
    done.push(migration.version);
  }
  return done;
}

async function release(session: SqlSession): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  await session.exec('RESET statement_timeout');
  await session.exec(DEAD_CLIENT_RESET);
}

async function tryLock(session: SqlSession): Promise<boolean> {
  const { rows } = await session.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock($1) AS locked',
    [MIGRATION_LOCK_KEY],
  );
  return rows[0]?.locked === true;
}
