/**
 * PostgreSQL frozen (SIGSTOP: the kernel accepts the TCP connection, nothing answers the start-up
 * packet) while the pool is empty, and requests with short deadlines come for a connection. Each
 * has its 504 at its deadline, and its connect goes on without it (pg.connect.ts). That connect
 * kept its pool slot until DB_CONNECT_TIMEOUT_MS: two such requests filled a pool of two with
 * connects nobody waited for, and the next request was refused DB_POOL_SATURATED for them. Now
 * a connect still pending DB_HEALTH_TIMEOUT_MS after its caller left is destroyed and its slot
 * freed; one that opens within that grace is kept (database-cold-pool covers a live server).
 */
import { json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually } from '../support/wait.js';

const POOL = 2;
/** The connect's own bound: far past everything measured here. */
const CONNECT_TIMEOUT_MS = 60_000;
/** Wider than the lag between the app's 504s and this process reading them on a busy machine. */
const GRACE_MS = 1_500;
const SHORT_DEADLINE_MS = 300;

interface Answer {
  status: number;
  code?: string;
  at: number;
}

describe('PostgreSQL frozen while requests with short deadlines open pool connections', () => {
  let server: ThrowawayPostgres;
  let t: TestApp;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ server, t, close } = await startOnThrowawayPostgres({
      DB_POOL_MAX: String(POOL),
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_HEALTH_TIMEOUT_MS: String(GRACE_MS),
      // The pool closes its idle connections: the requests below must open theirs.
      DB_IDLE_TIMEOUT_MS: '200',
    }));
  }, 60_000);

  afterAll(() => close?.(), 60_000);

  const pool = async () =>
    (await json(await fetch(`${t.baseUrl}/readyz?verbose`))).details.database.pool as {
      total: number;
      idle: number;
    };

  async function create(name: string, deadlineMs: number): Promise<Answer> {
    const res = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-timeout': `${deadlineMs}ms` },
      body: JSON.stringify({ name }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await json(res);
    return { status: res.status, code: body.code as string | undefined, at: performance.now() };
  }

  it('a connect its caller left gives its slot back a grace later, and the next request gets one', async () => {
    await eventually(async () => (await pool()).total === 0, 10_000);
    await server.signalAll('SIGSTOP');
    try {
      const left = await Promise.all(
        Array.from({ length: POOL }, (_, i) => create(`left-${i}`, SHORT_DEADLINE_MS)),
      );
      for (const answer of left) {
        expect({ status: answer.status, code: answer.code }).toEqual({
          status: 504,
          code: 'REQUEST_DEADLINE_EXCEEDED',
        });
      }
      // The connects go on without their callers: every slot is held by one.
      const answered = Math.max(...left.map((a) => a.at));
      expect(await pool()).toMatchObject({ total: POOL, idle: 0 });

      await eventually(async () => (await pool()).total === 0, CONNECT_TIMEOUT_MS / 2);
      const freedMs = performance.now() - answered;
      process.stdout.write(
        `frozen: connects nobody waits for freed ${Math.round(freedMs)} ms after the 504s ` +
          `(grace ${GRACE_MS} ms, connect timeout ${CONNECT_TIMEOUT_MS} ms)\n`,
      );
      // Compared with the connect's own bound, which held the slots before.
      expect(freedMs).toBeLessThan(CONNECT_TIMEOUT_MS / 10);

      // A request now opens a connection of its own (and leaves it at its deadline, the server
      // still frozen) instead of being refused for the slots of connects nobody waits for.
      const next = await create('next', 1_000);
      expect({ status: next.status, code: next.code }).toEqual({
        status: 504,
        code: 'REQUEST_DEADLINE_EXCEEDED',
      });
    } finally {
      await server.signalAll('SIGCONT');
    }
  }, 60_000);

  it('after SIGCONT requests are served', async () => {
    await eventually(async () => (await create('thawed', 5_000)).status === 201, 20_000, 200);
  }, 30_000);
});
