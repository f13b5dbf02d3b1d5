/**
 * The session of a connection the pool destroyed, on a server that was frozen (SIGSTOP) and whose
 * cancel never arrived. A request's INSERT waits on a lock an admin session holds; the server
 * freezes; at the request's deadline the statement is cancelled, and DB_HEALTH_TIMEOUT_MS later,
 * the cancel unanswered, its connection is destroyed (pg.abort.ts). Here the cancel is lost (new
 * connections lead nowhere, as on a network that drops new flows, or behind a balancer that
 * routes the cancel to another server), so after the thaw only the closed socket tells the
 * backend its client has gone, and a backend reads its socket only between statements: it went
 * on waiting for the lock, holding its slot of max_connections, and would have inserted the row
 * of a request answered 504 once the lock was let go. With client_connection_check_interval,
 * sent at connect (DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS), the backend polls its socket while
 * the statement runs and the session ends soon after the thaw, the lock still held.
 * The app reaches its own throwaway server (throwaway-postgres.ts) through a TCP proxy
 * (database.ts) that can stop passing new connections.
 */
import pg from 'pg';
import { PostgresProxy } from '../support/database.js';
import { json } from '../support/http.js';
import { lockWaiters } from '../support/lock-waits.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually } from '../support/wait.js';

/** How long the admin session keeps the lock after the thaw: the statement's own length. */
const LOCK_HELD_MS = 15_000;
const DEADLINE_MS = 3_000;

describe('a destroyed connection whose cancel was lost, its statement waiting on a lock', () => {
  let server: ThrowawayPostgres;
  let proxy: PostgresProxy;
  let t: TestApp | undefined;
  let holder: pg.Client;
  let monitor: pg.Client;

  beforeAll(async () => {
    server = await ThrowawayPostgres.create();
    proxy = new PostgresProxy({ host: '127.0.0.1', port: server.port });
    await proxy.start();
    t = await startTestApp({
      DATABASE_URL: proxy.urlFor('postgres'),
      DB_POOL_MAX: '2',
      CACHE_MAX_ITEMS: '0',
      // The statement ends only when the lock is let go: no server-side timeout, and no
      // client-side one within the test.
      DB_STATEMENT_TIMEOUT_MS: '0',
      DB_QUERY_TIMEOUT_MS: '60000',
      DB_HEALTH_TIMEOUT_MS: '500',
    });
    // Both straight to the server, not through the proxy.
    holder = new pg.Client({ connectionString: server.url() });
    monitor = new pg.Client({ connectionString: server.url() });
    await Promise.all([holder.connect(), monitor.connect()]);
  }, 60_000);

  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await monitor?.end().catch(() => undefined);
    await t?.close();
    await proxy?.cut();
    await server?.destroy();
  }, 60_000);

  const pool = async () =>
    (await json(await fetch(`${t!.baseUrl}/readyz?verbose`))).details.database.pool as {
      total: number;
    };

  /** The rampart session waiting on a lock with its INSERT, if any. */
  const waiting = async (): Promise<number | undefined> => {
    const [pid] = await lockWaiters(server.url(), {
      application: 'rampart',
      queryStart: 'INSERT INTO items',
    });
    return pid;
  };
  const alive = async (pid: number): Promise<boolean> =>
    (await monitor.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length > 0;

  it('its session ends soon after the thaw, while the lock it waits for is still held', async () => {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE items IN EXCLUSIVE MODE');
    const answer = fetch(`${t!.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-timeout': `${DEADLINE_MS}ms` },
      body: JSON.stringify({ name: 'orphaned' }),
    });
    let pid: number | undefined;
    await eventually(async () => (pid = await waiting()) !== undefined, 10_000);

    proxy.stall('accept');
    await server.signalAll('SIGSTOP');
    let thawedAt: number;
    try {
      const res = await answer;
      expect(res.status).toBe(504);
      // The pool has given the connection up: cancelled, unanswered for the grace, destroyed.
      await eventually(async () => (await pool()).total === 0, 10_000);
      // The cancel went into the proxy and no further.
      expect(proxy.stalled).toBeGreaterThan(0);
    } finally {
      thawedAt = performance.now();
      await server.signalAll('SIGCONT');
    }
    proxy.stall(false);

    // Its statement would end only with the lock, held LOCK_HELD_MS from now (or until the
    // session ends, if sooner).
    let endedMs: number | undefined;
    try {
      await eventually(async () => !(await alive(pid!)), LOCK_HELD_MS, 50);
      endedMs = performance.now() - thawedAt;
    } catch {
      // still there when the lock is let go: reported below
    }
    await holder.query('COMMIT');
    process.stdout.write(
      endedMs === undefined
        ? `destroyed session still waiting ${LOCK_HELD_MS} ms after the thaw, when the lock went\n`
        : `destroyed session ended ${Math.round(endedMs)} ms after the thaw (lock held ${LOCK_HELD_MS} ms)\n`,
    );
    expect(endedMs).toBeDefined();
    expect(endedMs!).toBeLessThan(LOCK_HELD_MS / 3);
    // Its INSERT never ran: the request's 504 wrote nothing.
    const { rows } = await monitor.query(`SELECT 1 FROM items WHERE name = 'orphaned'`);
    expect(rows).toEqual([]);
  }, 90_000);
});
