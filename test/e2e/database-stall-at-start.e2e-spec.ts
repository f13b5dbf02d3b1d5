/**
 * Start-up migrations against a PostgreSQL that takes the connection and then stops answering
 * (schema.startup.ts, schema.migration-attempt.ts, database.migrator.ts). Every statement of an
 * attempt has a client-side bound, so the attempt fails, is logged and is retried, and once the
 * server answers again the schema becomes ready by itself. Before, a migration statement on such
 * a connection never returned: the background retry never got another turn (or the first attempt
 * never ended, and the service never started), long after the server answered new connections
 * again.
 */
import pg from 'pg';
import { MIGRATION_LOCK_KEY, migrate } from '../../src/database/database.migrator.js';
import { MIGRATIONS } from '../../src/database/database.migrations.js';
import { startChild, type Child } from '../support/child-process.js';
import { appBackends, type ProxyStall } from '../support/database.js';
import { json } from '../support/http.js';
import { createProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database.js';
import { eventually, until } from '../support/wait.js';

const QUERY_TIMEOUT_MS = 1_000;
const MIGRATION_TIMEOUT_MS = 4_000;
const APPLICATION_NAME = 'rampart-stall-at-start';
/** Room for retries' back-off on a busy 2-core machine; a failure bound, not a measurement. */
const RECOVERY_MS = 20_000;

const ENV = {
  LOG_LEVEL: 'info',
  DB_CONNECT_TIMEOUT_MS: '1000',
  DB_STATEMENT_TIMEOUT_MS: '500',
  DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
  DB_MIGRATION_TIMEOUT_MS: String(MIGRATION_TIMEOUT_MS),
  DB_APPLICATION_NAME: APPLICATION_NAME,
};

describe('start-up migrations against a PostgreSQL that stops answering', () => {
  let db: ProxiedDatabase;
  let child: Child | undefined;
  let holder: pg.Client | undefined;

  beforeEach(async () => {
    db = await createProxiedDatabase();
  });
  afterEach(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    child = undefined;
    await holder?.end().catch(() => undefined);
    holder = undefined;
    await db.drop();
  });

  const schemaPending = async (): Promise<boolean> => {
    const body = await json(await fetch(`${child!.baseUrl}/readyz?verbose`));
    return body.details.database.schema === 'pending';
  };

  /** Why each attempt failed, as the child logged it: the first, then the background ones. */
  const failedAttempts = (): Array<{ code?: string; message?: string }> =>
    child!
      .output()
      .split('\n')
      .filter((line) => /database unavailable at start-up|migrations still not applied/.test(line))
      .map((line) => {
        const { code, message } = (JSON.parse(line) as { err: Record<string, string> }).err;
        return { code, message };
      });

  const createItem = () =>
    fetch(`${child!.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'after the stall' }),
    });

  /** Once the server answers new connections again: the schema is ready with nothing done. */
  async function expectRecovers(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the service did not start')), RECOVERY_MS);
    });
    await Promise.race([child!.ready, late]).finally(() => clearTimeout(timer));
    await eventually(async () => !(await schemaPending()), RECOVERY_MS, 100);
    expect((await createItem()).status).toBe(201);
  }

  it.each<[string, ProxyStall]>([
    ['takes the connection and never speaks', 'accept'],
    ['opens the session and never answers its first statement', 'handshake'],
  ])(
    'away at start, then back as a server that %s: the attempt fails, is logged, is retried; ready once it answers',
    async (_server, mode) => {
      await db.proxy.cut();
      child = await startChild({ ...ENV, DATABASE_URL: db.proxiedUrl });
      expect(await schemaPending()).toBe(true);

      db.proxy.stall(mode);
      await db.proxy.restore();
      // An attempt is on a stalled connection now.
      await until(() => db.proxy.stalled >= 1, RECOVERY_MS);
      expect(await schemaPending()).toBe(true);
      db.proxy.stall(false);

      await expectRecovers();
      // A connect with no answer is the connect timeout; a statement with none, the query's.
      expect(failedAttempts().map((e) => e.code)).toContain(
        mode === 'accept' ? 'DB_UNAVAILABLE' : 'DB_QUERY_TIMEOUT',
      );
    },
    60_000,
  );

  it('frozen while waiting for the migration lock: the wait ends at DB_QUERY_TIMEOUT_MS and resumes on a new connection', async () => {
    // Another replica migrating, straight to the server: it holds the lock.
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    child = await startChild({ ...ENV, DATABASE_URL: db.proxiedUrl }, { waitReady: false });
    await until(() => child!.output().includes('waiting for the migration lock'), RECOVERY_MS);

    db.proxy.freezeOpen();
    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);

    await expectRecovers();
    expect(failedAttempts()[0]).toEqual({
      code: 'DB_QUERY_TIMEOUT',
      message: `The database did not answer within ${QUERY_TIMEOUT_MS} ms.`,
    });
  }, 60_000);

  it('frozen while a long migration runs: it is not cut at DB_QUERY_TIMEOUT_MS, is given up at DB_MIGRATION_TIMEOUT_MS, and applies once the server answers', async () => {
    // The first migration applied; the second (an index) waits for a table lock another session
    // holds: a migration that runs long.
    const setup = new pg.Client({ connectionString: db.url });
    await setup.connect();
    await migrate(
      {
        query: async (sql, params) => {
          const { rows, rowCount } = await setup.query(sql, params as unknown[] | undefined);
          return { rows, rowCount: rowCount ?? 0 };
        },
        exec: async (sql) => void (await setup.query(sql)),
      },
      MIGRATIONS.slice(0, 1),
    );
    await setup.end();
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE item_idempotency_keys IN ACCESS EXCLUSIVE MODE');

    child = await startChild({ ...ENV, DATABASE_URL: db.proxiedUrl }, { waitReady: false });
    const migrating = async () =>
      (await appBackends(db.name, APPLICATION_NAME)).filter((b) =>
        b.query.includes('CREATE INDEX item_idempotency_keys_created_at'),
      );
    await eventually(async () => (await migrating()).length === 1, RECOVERY_MS);
    const started = performance.now();
    const [first] = await migrating();

    // Past the query timeout, the same statement still runs: a long migration is not a hang.
    await new Promise((r) => setTimeout(r, 2 * QUERY_TIMEOUT_MS));
    expect((await migrating()).map((b) => b.pid)).toEqual([first!.pid]);

    // The server finishes it, but its answer never arrives.
    db.proxy.freezeOpen();
    await holder.query('COMMIT');

    await expectRecovers();
    expect(performance.now() - started).toBeGreaterThanOrEqual(MIGRATION_TIMEOUT_MS - 2 * 250);
    expect(failedAttempts()[0]).toEqual({
      code: 'DB_QUERY_TIMEOUT',
      message: `The database did not answer within ${MIGRATION_TIMEOUT_MS} ms.`,
    });
  }, 60_000);
});
