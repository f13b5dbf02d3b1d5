/**
 * PostgreSQL frozen (SIGSTOP: the kernel accepts the TCP connection, nothing answers the start-up
 * packet) while the pool is empty, and requests with short deadlines come for a connection. Each
 * has its 504 at its deadline, and its connect goes on without it (pg.connect.ts). That connect
 * kept its pool slot until DB_CONNECT_TIMEOUT_MS: two such requests filled a pool of two with
 * connects nobody waited for, and the next request was refused DB_POOL_SATURATED for them. Now
 * a connect still pending DB_HEALTH_TIMEOUT_MS after its caller left is destroyed and its slot
 * freed; one that opens within that grace is kept (database-cold-pool covers a live server).
 */
import type { PoolStats } from '../../src/database/database.driver.js';
import { DatabaseService } from '../../src/database/database.service.js';
import { watchAnswers, type SentAnswer } from '../support/answer-watch.js';
import { json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { startOnThrowawayPostgres } from '../support/throwaway-app.js';
import type { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { until } from '../support/wait.js';

const POOL = 2;
/** The connect's own bound: far past everything measured here. */
const CONNECT_TIMEOUT_MS = 60_000;
/**
 * The grace. The pool is read as each 504 is sent (answer-watch.ts): the grace no longer has to
 * outlast this process reading the 504s, which a busy machine stretched past 0.5 s.
 */
const GRACE_MS = 1_500;
const SHORT_DEADLINE_MS = 300;

interface Answer {
  status: number;
  code?: string;
}

describe('PostgreSQL frozen while requests with short deadlines open pool connections', () => {
  let server: ThrowawayPostgres;
  let t: TestApp;
  let close: (() => Promise<void>) | undefined;
  let db: DatabaseService;
  let sent: { answers: Map<string, SentAnswer<PoolStats>>; stop(): void };

  beforeAll(async () => {
    ({ server, t, close } = await startOnThrowawayPostgres({
      DB_POOL_MAX: String(POOL),
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_HEALTH_TIMEOUT_MS: String(GRACE_MS),
      // The pool closes its idle connections: the requests below must open theirs.
      DB_IDLE_TIMEOUT_MS: '200',
    }));
    db = t.app.get(DatabaseService);
    sent = watchAnswers(t.app.getHttpServer(), () => db.stats());
  }, 60_000);

  afterAll(async () => {
    sent?.stop();
    await close?.();
  }, 60_000);

  /** `name` is also its X-Request-Id, under which watchAnswers keeps its answer. */
  async function create(name: string, deadlineMs: number): Promise<Answer> {
    const res = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-timeout': `${deadlineMs}ms`,
        'x-request-id': name,
      },
      body: JSON.stringify({ name }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await json(res);
    return { status: res.status, code: body.code as string | undefined };
  }

  it('a connect its caller left gives its slot back a grace later, and the next request gets one', async () => {
    await until(() => db.stats().total === 0, 10_000);
    await server.signalAll('SIGSTOP');
    try {
      const names = Array.from({ length: POOL }, (_, i) => `left-${i}`);
      const left = await Promise.all(names.map((name) => create(name, SHORT_DEADLINE_MS)));
      for (const answer of left) {
        expect(answer).toEqual({ status: 504, code: 'REQUEST_DEADLINE_EXCEEDED' });
      }
      // The connects go on without their callers: as the last 504 went out, every slot was held
      // by one.
      const last = names
        .map((name) => sent.answers.get(name)!)
        .reduce((a, b) => (b.at > a.at ? b : a));
      expect(last.state).toMatchObject({ total: POOL, idle: 0 });

      await until(() => db.stats().total === 0, CONNECT_TIMEOUT_MS / 2);
      const freedMs = performance.now() - last.at;
      process.stdout.write(
        `frozen: connects nobody waits for freed ${Math.round(freedMs)} ms after the 504s ` +
          `(grace ${GRACE_MS} ms, connect timeout ${CONNECT_TIMEOUT_MS} ms)\n`,
      );
      // Compared with the connect's own bound, which held the slots before.
      expect(freedMs).toBeLessThan(CONNECT_TIMEOUT_MS / 10);

      // A request now opens a connection of its own (and leaves it at its deadline, the server
      // still frozen) instead of being refused for the slots of connects nobody waits for.
      const next = await create('next', 1_000);
      expect(next).toEqual({ status: 504, code: 'REQUEST_DEADLINE_EXCEEDED' });
    } finally {
      await server.signalAll('SIGCONT');
    }
  }, 60_000);

  it('after SIGCONT requests are served', async () => {
    // A probe the frozen server left unanswered opened the breaker; its next probe closes it.
    await until(() => db.breakerState === 'closed', 20_000);
    expect(await create('thawed', 5_000)).toEqual({ status: 201, code: undefined });
  }, 30_000);
});
