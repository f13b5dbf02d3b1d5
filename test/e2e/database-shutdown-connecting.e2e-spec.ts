/**
 * A SIGTERM while the pool is still opening a connection to a PostgreSQL that has stopped
 * answering (SIGSTOP: the kernel accepts the TCP connection, nothing answers the start-up
 * packet). The request that asked for it has its 504 and is gone, but `pool.end()` waited for the
 * connect to fail at DB_CONNECT_TIMEOUT_MS (up to 10 minutes), and past SHUTDOWN_TIMEOUT_MS the
 * process exited 1. The end now destroys a connection still opening (pg.opening.ts): exit 0, at
 * once. The cluster is the test's own (throwaway-postgres.ts).
 */
import { startChild, type Child } from '../support/child-process.js';
import { json } from '../support/http.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually } from '../support/wait.js';

const SHUTDOWN_TIMEOUT_MS = 20_000;
/** Far past the shutdown's deadline: an end that waited for the connect could not exit 0. */
const CONNECT_TIMEOUT_MS = 120_000;

describe('SIGTERM while a pool connection to a frozen PostgreSQL is still opening', () => {
  let server: ThrowawayPostgres;
  let child: Child | undefined;

  beforeAll(async () => {
    server = await ThrowawayPostgres.create();
  }, 60_000);
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await server?.destroy();
  }, 60_000);

  const pool = async () =>
    (await json(await fetch(`${child!.baseUrl}/readyz?verbose`))).details.database.pool as {
      total: number;
      idle: number;
    };

  it('the drain destroys the connect its caller left and exits 0, long before DB_CONNECT_TIMEOUT_MS', async () => {
    child = await startChild({
      LOG_LEVEL: 'info',
      DATABASE_URL: server.url(),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_IDLE_TIMEOUT_MS: '200',
      // A connect its caller left is destroyed this long after (pg.connect.ts): here the
      // SIGTERM must find it still opening.
      DB_HEALTH_TIMEOUT_MS: '10000',
    });
    // An empty pool: the request below has to open a connection.
    await eventually(async () => (await pool()).total === 0, 10_000);
    await server.signalAll('SIGSTOP');

    const res = await fetch(`${child.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-timeout': '300ms' },
      body: JSON.stringify({ name: 'never-connected' }),
    });
    expect(res.status).toBe(504);
    // Its connect goes on without it, for the grace (pg.connect.ts): one connection opening.
    expect(await pool()).toMatchObject({ total: 1, idle: 0 });

    const sent = performance.now();
    child.process.kill('SIGTERM');
    const code = await child.exited;
    const tookMs = performance.now() - sent;
    const output = child.output();
    expect(output).not.toContain('shutdown deadline passed');
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 4);
    process.stdout.write(
      `shutdown with a connect pending: exit ${code} in ${Math.round(tookMs)} ms\n`,
    );
  }, 90_000);
});
