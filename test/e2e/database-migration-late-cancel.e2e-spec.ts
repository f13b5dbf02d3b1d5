/**
 * The cancel a shutdown sends for a start-up migration's statement travels on a connection of
 * its own, and may reach the server after that statement has ended. PostgreSQL then stops
 * whatever the session runs at that moment: the migration's next statement, its ROLLBACK, the
 * lock's release. Once the stop is asked the session sends nothing more (pg.session.ts): the
 * cancel stops the statement it was sent for, or finds the session idle and is ignored; the
 * session is discarded, and the server rolls back and lets go of the lock as it ends.
 * Before, the runner went on (the migration's INSERT into schema_migrations, here held by a
 * lock), and the late cancel stopped that.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.loader.js';
import { PgDriver } from '../../src/database/pg.driver.js';
import { CancelHoldingProxy } from '../support/cancel-holding-proxy.js';
import { startChild, type Child } from '../support/child-process.js';
import {
  adminQuery,
  appBackends,
  createPostgresDatabase,
  type TestDatabase,
} from '../support/database.js';
import { failures, holdTheSecondMigration, migrationLocks } from '../support/migration-hold.js';
import { TEST_ENV } from '../support/test-app.js';
import { eventually, until } from '../support/wait.js';

const APPLICATION_NAME = 'rampart-migration-late-cancel';
/** A failure bound for what a test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 30_000;

describe('a cancel that reaches the server after its statement ended', () => {
  let db: TestDatabase;
  let holder: pg.Client;
  let ledger: pg.Client;
  let proxy: CancelHoldingProxy;
  let child: Child | undefined;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    holder = new pg.Client({ connectionString: db.url });
    ledger = new pg.Client({ connectionString: db.url });
    await Promise.all([holder.connect(), ledger.connect()]);
    proxy = new CancelHoldingProxy();
    await proxy.start();
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await holder?.end().catch(() => undefined);
    await ledger?.end().catch(() => undefined);
    await proxy?.close();
    await db?.drop();
  });

  it('a shutdown’s, for a start-up migration, meets no other statement: nothing is sent after the stop, the migration is rolled back, the lock let go, exit 0', async () => {
    // Migration 2 (CREATE INDEX) waits for `holder`; the row it would then add to
    // schema_migrations waits for `ledger`, so a statement sent after the stop is still running
    // when the late cancel arrives.
    await holdTheSecondMigration(holder);
    await ledger.query('BEGIN');
    await ledger.query('LOCK TABLE schema_migrations IN SHARE MODE');
    child = await startChild(
      {
        LOG_LEVEL: 'info',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '20000',
        DB_APPLICATION_NAME: APPLICATION_NAME,
        DATABASE_URL: proxy.urlFor(db.name),
      },
      { waitReady: false },
    );
    await eventually(
      async () =>
        (await appBackends(db.name, APPLICATION_NAME)).some(
          (b) => b.state === 'active' && b.query.includes('CREATE INDEX'),
        ),
      EVENTUALLY_MS,
    );
    const session = proxy.statements.find((s) => s.sql.includes('CREATE INDEX'))!.connection;
    const sentAfterStop = () =>
      proxy.statements.slice(stoppedAt).filter((s) => s.connection === session);
    const stoppedAt = proxy.statements.length;

    child.process.kill('SIGTERM');
    await until(() => proxy.cancels === 1, EVENTUALLY_MS);
    // The statement the cancel was sent for ends before the cancel arrives.
    await holder.query('ROLLBACK');
    await until(
      () => sentAfterStop().length > 0 || child!.process.exitCode !== null,
      EVENTUALLY_MS,
    );
    expect(sentAfterStop()).toEqual([]);

    proxy.releaseCancels();
    await ledger.query('ROLLBACK');
    expect(await child.exited).toBe(0);
    expect(failures(child.output())).toEqual([]);
    expect(await migrationLocks(db.name)).toEqual([]);
    expect(await adminQuery('SELECT version FROM schema_migrations', [], db.url)).toEqual([
      { version: 1 },
    ]);
    // The index migration 2 built went with its session's transaction: the schema is version 1.
    expect(
      await adminQuery(
        `SELECT 1 FROM pg_indexes WHERE indexname = 'item_idempotency_keys_created_at'`,
        [],
        db.url,
      ),
    ).toEqual([]);
  }, 90_000);

  // The same rule for every run, a request's included: its ROLLBACK after a cancelled statement
  // is refused too (database.service.ts catches it), and the server rolls back as the session ends.
  it('a run stopped between two statements: no cancel goes out (nothing runs), and the next statement is refused, not sent', async () => {
    const driver = new PgDriver(loadConfig({ ...TEST_ENV, DATABASE_URL: proxy.urlFor(db.name) }));
    const cancels = proxy.cancels;
    const sentBefore = proxy.statements.length;
    const stop = new AbortController();
    const reason = new Error('stopped between two statements');
    try {
      const run = driver.run(
        async (session) => {
          await session.query('SELECT 1 AS first');
          stop.abort(reason);
          await session.query('SELECT 2 AS second');
        },
        { signal: stop.signal, acquireTimeoutMs: 5_000 },
      );
      await expect(run).rejects.toBe(reason);
      // A cancel would be on its way by now: it is sent the moment the signal aborts.
      await sleep(300);
      expect(proxy.cancels).toBe(cancels);
      expect(proxy.statements.slice(sentBefore).map((s) => s.sql)).toEqual(['SELECT 1 AS first']);
    } finally {
      await driver.close();
    }
  });
});
