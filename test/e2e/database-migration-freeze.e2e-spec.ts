/**
 * A SIGTERM while a start-up migration attempt works on a PostgreSQL that has stopped answering
 * (SIGSTOP on the postmaster and every backend: the kernel still accepts and acknowledges,
 * nothing answers). The cancel the stop sends is never acted on, so the attempt's connection is
 * destroyed DB_HEALTH_TIMEOUT_MS later (pg.abort.ts), and the process drains and exits 0. Before,
 * the stop waited for the statement's own client-side bound (DB_MIGRATION_TIMEOUT_MS, 5 minutes,
 * for a migration's SQL; DB_QUERY_TIMEOUT_MS for a turn of the wait for the lock), and past
 * SHUTDOWN_TIMEOUT_MS the process exited 1. Once the server runs again it acts on the cancel
 * still queued at its port, finds the connection closed when it answers ("could not send data to
 * client: Broken pipe", "connection to client lost" in its log) and ends the session, and the
 * advisory lock goes with it. The cluster is the test's own (throwaway-postgres.ts): the
 * machine's shared server is never frozen.
 */
import pg from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/database/database.migrator.js';
import { startChild, type Child } from '../support/child-process.js';
import { adminQuery, appBackends, PostgresProxy } from '../support/database.js';
import { failures, holdTheSecondMigration, migrationLocks } from '../support/migration-hold.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually, until } from '../support/wait.js';

const APPLICATION_NAME = 'rampart-migration-freeze';
/** Far above what the stop takes: exit 0 proves the deadline was not needed. */
const SHUTDOWN_TIMEOUT_MS = 20_000;
/** The stop's grace after its cancel (DB_HEALTH_TIMEOUT_MS, its default). */
const GRACE_MS = 800;
/** A failure bound for what a test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 30_000;

const ENV = {
  LOG_LEVEL: 'info',
  SHUTDOWN_DRAIN_DELAY_MS: '0',
  SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  DB_CONNECT_TIMEOUT_MS: '1000',
  DB_HEALTH_TIMEOUT_MS: String(GRACE_MS),
  // Twice the drain's bound in `terminate`: a stop that waited for a turn of the lock wait to
  // time out fails it.
  DB_QUERY_TIMEOUT_MS: '10000',
  DB_APPLICATION_NAME: APPLICATION_NAME,
};

describe('SIGTERM during a start-up migration attempt on a frozen PostgreSQL (SIGSTOP)', () => {
  let server: ThrowawayPostgres;
  let databases = 0;
  let database: string;
  let holder: pg.Client;
  let child: Child | undefined;
  let proxy: PostgresProxy | undefined;

  beforeAll(async () => {
    server = await ThrowawayPostgres.create();
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
  }, 60_000);

  beforeEach(async () => {
    database = `rampart_freeze_${++databases}`;
    await adminQuery(`CREATE DATABASE ${database}`, [], server.url());
    holder = new pg.Client({ connectionString: server.url(database) });
    await holder.connect();
  });
  afterEach(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    child = undefined;
    // A test that failed while the server was frozen leaves it so.
    await server.signalAll('SIGCONT');
    await holder.end().catch(() => undefined);
    await proxy?.cut().catch(() => undefined);
    proxy = undefined;
  });

  const appSessions = () => appBackends(database, APPLICATION_NAME, server.url());

  /** SIGTERM, then the exit; how long the stop took, as the child logged it. */
  async function terminate(): Promise<{ code: number | null; stoppedInMs: number }> {
    const sent = performance.now();
    child!.process.kill('SIGTERM');
    const code = await child!.exited;
    // Relative, not a measurement: a stop that waited for a statement's own bound took 10 s or
    // the whole deadline.
    expect(performance.now() - sent).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 4);
    const output = child!.output();
    expect(output).not.toContain('start-up did not end within SHUTDOWN_TIMEOUT_MS');
    expect(output).not.toContain('shutdown deadline passed');
    expect(failures(output)).toEqual([]);
    const stopped = output.split('\n').find((l) => l.includes('schema migrations stopped'));
    const fields = JSON.parse(stopped ?? '{}') as { during?: string; stoppedInMs?: number };
    expect(fields.during).toBe('attempt');
    return { code, stoppedInMs: fields.stoppedInMs ?? NaN };
  }

  it('a migration blocked at start-up: its connection is destroyed after the grace, exit 0; once the server runs again, the session and the lock are gone', async () => {
    await holdTheSecondMigration(holder);
    child = await startChild({ ...ENV, DATABASE_URL: server.url(database) }, { waitReady: false });
    const blocked = async () =>
      (await appSessions()).filter((b) => b.state === 'active' && b.query.includes('CREATE INDEX'));
    await eventually(async () => (await blocked()).length === 1, EVENTUALLY_MS);
    expect(await migrationLocks(database, server.url())).toHaveLength(1);
    await server.signalAll('SIGSTOP');

    const { code, stoppedInMs } = await terminate();
    expect(code).toBe(0);
    // The cancel went unanswered (the server is frozen): the grace ended the attempt.
    expect(stoppedInMs).toBeGreaterThanOrEqual(GRACE_MS - 50);

    await server.signalAll('SIGCONT');
    await eventually(async () => (await appSessions()).length === 0, EVENTUALLY_MS);
    expect(await migrationLocks(database, server.url())).toEqual([]);
    // Still held by the other transaction: the session ended on its own, not because the
    // migration it waited for got its table.
    const { rows } = await holder.query<{ held: boolean }>(
      `SELECT granted AS held FROM pg_locks WHERE pid = pg_backend_pid()
        AND relation = 'item_idempotency_keys'::regclass AND mode = 'AccessExclusiveLock'`,
    );
    expect(rows).toEqual([{ held: true }]);
  }, 90_000);

  it('a background retry waiting for another replica’s lock: the drain destroys its connection after the grace, exit 0; the other replica keeps the lock', async () => {
    proxy = new PostgresProxy({ host: '127.0.0.1', port: server.port });
    await proxy.start();
    await proxy.cut();
    // Away at start: the service starts and retries the migrations in the background.
    child = await startChild({ ...ENV, DATABASE_URL: proxy.urlFor(database) });
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows[0]!.pid;
    await proxy.restore();
    await until(() => child!.output().includes('waiting for the migration lock'), EVENTUALLY_MS);
    await server.signalAll('SIGSTOP');
    // A turn of the wait (every 250 ms: database.migrator.ts) the frozen server never answers:
    // one it had not answered when it froze, or the next one.
    await proxy.unanswered('pg_try_advisory_lock');

    const { code, stoppedInMs } = await terminate();
    expect(code).toBe(0);
    expect(stoppedInMs).toBeGreaterThanOrEqual(GRACE_MS - 50);
    const output = child.output();
    expect(output.indexOf('schema migrations stopped')).toBeGreaterThan(
      output.indexOf('shutdown: step 1'),
    );

    await server.signalAll('SIGCONT');
    await eventually(async () => (await appSessions()).length === 0, EVENTUALLY_MS);
    expect(await migrationLocks(database, server.url())).toEqual([
      { pid: holderPid, granted: true },
    ]);
  }, 90_000);
});
