/**
 * Replicas starting together queue on the migration lock (database.migrator.ts): one that waits
 * longer than DB_QUERY_TIMEOUT_MS for another's migrations is still waiting, says so, and starts
 * once the lock is free. Before, the wait was one statement under the client-side query timeout:
 * the replica's start failed after 6 s (here, 1 s), exit 1.
 */
import pg from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/database/database.migrator.js';
import { startChild, type Child } from '../support/child-process.js';
import { createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { until } from '../support/wait.js';

const QUERY_TIMEOUT_MS = 1_000;

describe('a replica waiting for the migration lock', () => {
  let db: TestDatabase;
  let holder: pg.Client;
  let child: Child | undefined;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await holder?.end().catch(() => undefined);
    await db?.drop();
  });

  it('outlasts DB_QUERY_TIMEOUT_MS, says it waits, and starts once the lock is free', async () => {
    // Another replica migrating: it holds the lock.
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    child = await startChild(
      {
        DATABASE_URL: db.url,
        LOG_LEVEL: 'info',
        DB_STATEMENT_TIMEOUT_MS: '500',
        DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      },
      { waitReady: false },
    );
    await until(() => child!.output().includes('waiting for the migration lock'), 30_000);
    // Held past the query timeout that used to end the wait.
    await new Promise((r) => setTimeout(r, 2 * QUERY_TIMEOUT_MS));
    expect(child.process.exitCode).toBeNull();
    expect(child.output()).not.toContain('start-up failed');
    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    await child.ready;
    expect((await fetch(`${child.baseUrl}/api/items?limit=1`)).status).toBe(200);
  }, 60_000);
});
