/**
 * A SIGTERM while a start-up migration attempt is still at work (schema.startup.ts) stops it:
 * the statement in flight is cancelled on the server, the advisory lock is let go, and the
 * process drains and exits 0. Before, the first attempt held the signal until SHUTDOWN_TIMEOUT_MS
 * (exit 1), and a blocked migration went on running on the server after the process had gone,
 * still holding the lock every other replica waits for; a background retry's attempt held the
 * pool's end, and the drain with it, to the same deadline. A server that never answers ignores
 * the cancel: the session's connection is destroyed DB_HEALTH_TIMEOUT_MS later (pg.abort.ts;
 * frozen for real in database-migration-freeze.e2e-spec.ts). A stop that cannot end in time
 * still meets that deadline: exit 1.
 */
import pg from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/database/database.migrator.js';
import { startChild, type Child } from '../support/child-process.js';
import {
  appBackends,
  createPostgresDatabase,
  PostgresProxy,
  type TestDatabase,
} from '../support/database.js';
import { failures, holdTheSecondMigration, migrationLocks } from '../support/migration-hold.js';
import { eventually, until } from '../support/wait.js';

const APPLICATION_NAME = 'rampart-migration-shutdown';
/** Far above what a stopped migration takes to end: exit 0 proves the deadline was not needed. */
const SHUTDOWN_TIMEOUT_MS = 20_000;
/** A failure bound for what a test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 30_000;

const ENV = {
  LOG_LEVEL: 'info',
  SHUTDOWN_DRAIN_DELAY_MS: '0',
  SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  DB_CONNECT_TIMEOUT_MS: '1000',
  DB_APPLICATION_NAME: APPLICATION_NAME,
};

describe('SIGTERM during a start-up migration attempt', () => {
  let db: TestDatabase;
  let holder: pg.Client;
  let child: Child | undefined;
  let proxy: PostgresProxy | undefined;

  beforeEach(async () => {
    db = await createPostgresDatabase();
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
  });
  afterEach(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    child = undefined;
    await holder.end().catch(() => undefined);
    await proxy?.cut().catch(() => undefined);
    proxy = undefined;
    await db.drop();
  });

  /** The child's session running migration 2, blocked on the table lock. */
  const blockedMigration = async () =>
    (await appBackends(db.name, APPLICATION_NAME)).filter(
      (b) => b.state === 'active' && b.query.includes('CREATE INDEX'),
    );

  /** SIGTERM, then the exit; what the child logged about the stop. */
  async function terminate(): Promise<{ code: number | null; stopped: string | undefined }> {
    const sent = performance.now();
    child!.process.kill('SIGTERM');
    const code = await child!.exited;
    // Relative, not a measurement: a drain that waited on the migration took the whole deadline.
    expect(performance.now() - sent).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 4);
    const output = child!.output();
    expect(output).not.toContain('start-up did not end within SHUTDOWN_TIMEOUT_MS');
    expect(output).not.toContain('shutdown deadline passed');
    expect(failures(output)).toEqual([]);
    const stopped = output.split('\n').find((l) => l.includes('schema migrations stopped'));
    return { code, stopped };
  }

  it('waiting for another replica’s lock at start-up: stops waiting, drains, exits 0; only the other replica holds the lock', async () => {
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    child = await startChild({ ...ENV, DATABASE_URL: db.url }, { waitReady: false });
    await until(() => child!.output().includes('waiting for the migration lock'), EVENTUALLY_MS);

    const { code, stopped } = await terminate();
    // Exit 0 with the lock still held by the other replica: the wait did not decide the exit.
    expect(code).toBe(0);
    expect(stopped).toContain('"during":"attempt"');
    expect(child.output()).toContain('shutdown: step 7, exit');
    const [held] = await migrationLocks(db.name);
    expect(await migrationLocks(db.name)).toEqual([{ pid: held!.pid, granted: true }]);
    expect((await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(held!.pid);
  }, 60_000);

  it('a migration blocked at start-up: its statement is cancelled and the lock released before the exit (0)', async () => {
    await holdTheSecondMigration(holder);
    child = await startChild({ ...ENV, DATABASE_URL: db.url }, { waitReady: false });
    await eventually(async () => (await blockedMigration()).length === 1, EVENTUALLY_MS);
    expect(await migrationLocks(db.name)).toHaveLength(1);

    const { code, stopped } = await terminate();
    expect(code).toBe(0);
    expect(stopped).toContain('"during":"attempt"');
    // Gone from the server, not left running there for the lock's next taker to wait on.
    expect(await blockedMigration()).toEqual([]);
    expect(await migrationLocks(db.name)).toEqual([]);
  }, 60_000);

  it('a background retry’s migration blocked after start-up: the drain cancels it, frees the lock, exits 0', async () => {
    proxy = new PostgresProxy();
    await proxy.start();
    await proxy.cut();
    // Away at start: the service starts and retries the migrations in the background.
    child = await startChild({ ...ENV, DATABASE_URL: proxy.urlFor(db.name) });
    await holdTheSecondMigration(holder);
    await proxy.restore();
    await eventually(async () => (await blockedMigration()).length === 1, EVENTUALLY_MS);

    const { code, stopped } = await terminate();
    expect(code).toBe(0);
    expect(stopped).toContain('"during":"attempt"');
    expect(await blockedMigration()).toEqual([]);
    expect(await migrationLocks(db.name)).toEqual([]);
    const output = child.output();
    expect(output.indexOf('schema migrations stopped')).toBeGreaterThan(
      output.indexOf('shutdown: step 1'),
    );
  }, 60_000);

  /** A session open through the proxy whose first statement the server never answers. */
  async function startOnAStalledSession(env: Record<string, string>): Promise<void> {
    proxy = new PostgresProxy();
    await proxy.start();
    proxy.stall('handshake');
    child = await startChild({ ...env, DATABASE_URL: proxy.urlFor(db.name) }, { waitReady: false });
    await until(() => proxy!.stalled >= 1, EVENTUALLY_MS);
  }

  // No client-side bound at all (DB_QUERY_TIMEOUT_MS=0): the statement waited forever, and the
  // signal until SHUTDOWN_TIMEOUT_MS (exit 1).
  it('a statement the server never answers, no client-side bound: its connection is destroyed after DB_HEALTH_TIMEOUT_MS, start-up ends, exit 0', async () => {
    await startOnAStalledSession({ ...ENV, DB_QUERY_TIMEOUT_MS: '0' });
    const { code, stopped } = await terminate();
    expect(code).toBe(0);
    expect(stopped).toContain('"during":"attempt"');
  }, 60_000);

  // The signal is still held no longer than SHUTDOWN_TIMEOUT_MS (startup-signals.ts): held for as
  // long as start-up took, it went unheeded until the kubelet's SIGKILL.
  it('a start-up the stop cannot end in time (the grace, DB_HEALTH_TIMEOUT_MS, past SHUTDOWN_TIMEOUT_MS): exit 1 at SHUTDOWN_TIMEOUT_MS', async () => {
    await startOnAStalledSession({
      ...ENV,
      SHUTDOWN_TIMEOUT_MS: '1500',
      DB_QUERY_TIMEOUT_MS: '0',
      DB_HEALTH_TIMEOUT_MS: '60000',
    });
    child!.process.kill('SIGTERM');
    expect(await child!.exited).toBe(1);
    expect(child!.output()).toContain('start-up did not end within SHUTDOWN_TIMEOUT_MS');
    expect(child!.output()).not.toContain('rampart is ready');
  }, 60_000);
});
