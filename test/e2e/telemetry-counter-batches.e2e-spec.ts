import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Child } from '../support/child-process.js';
import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { lockWaiters } from '../support/lock-waits.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { startTraced } from '../support/traced-child.js';
import { eventually } from '../support/wait.js';

const APP_NAME = `rampart-batch-spans-${process.pid}`;
const INCREMENT_ROUTE = 'POST /api/counters/:name/increment';
const STATEMENT = 'pg.query:counters.increment';

// Increments of one counter queued behind its statement in flight go together in the next one
// (src/counters/increment.combiner.ts). That statement is sent from the continuation of the one
// before: its spans went to the trace of the request that started the lane, already answered.
describe("a combined counter statement's spans (real PostgreSQL)", () => {
  const receiver = new OtlpReceiver();
  let db: TestDatabase;
  let child: Child;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    child = await startTraced(await receiver.start(), {
      OTEL_TRACES_SAMPLER: 'always_on',
      DATABASE_URL: db.url,
      DB_APPLICATION_NAME: APP_NAME,
    });
    locker = new pg.Client({ connectionString: db.url, application_name: 'rampart-test-locker' });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    child?.process.kill('SIGTERM');
    await child?.exited;
    await receiver.close();
    await db?.drop();
  });

  /** Each request starts a trace of its own, chosen here: `traceOf(requestName)`. */
  const traceOf = (name: string): string => createHash('md5').update(name).digest('hex');
  const increment = async (name: string): Promise<number> => {
    const res = await fetch(`${child.baseUrl}/api/counters/hot/increment`, {
      method: 'POST',
      headers: { traceparent: `00-${traceOf(name)}-00f067aa0ba902b7-01` },
    });
    return res.status;
  };
  const queued = async (): Promise<number> => {
    const text = await (await fetch(`${child.adminUrl}/metrics`)).text();
    const family = parsePrometheusText(text).get('counters_increments_queued');
    return family?.samples[0]?.value ?? -1;
  };

  it('is in the trace of the first request it carries, under its server span, not of the request before', async () => {
    await adminQuery(`INSERT INTO counters (name, value) VALUES ('hot', 0)`, [], db.url);
    // The row held: the first statement waits on its lock, and the next increments queue.
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM counters WHERE name = 'hot' FOR UPDATE`);
    const first = increment('first');
    await eventually(
      async () => (await lockWaiters(db.url, { application: APP_NAME })).length === 1,
      10_000,
    );
    const second = increment('second');
    await eventually(async () => (await queued()) === 1, 10_000);
    const third = increment('third');
    await eventually(async () => (await queued()) === 2, 10_000);
    await locker.query('COMMIT');
    expect(await Promise.all([first, second, third])).toEqual([200, 200, 200]);

    await receiver.waitFor(
      (spans) =>
        spans.filter((s) => s.name.startsWith(STATEMENT)).length === 2 &&
        spans.filter((s) => s.name === INCREMENT_ROUTE).length === 3,
    );
    const statementsUnder = (name: string) => {
      const server = receiver.spans.find(
        (s) => s.kind === SPAN_KIND.SERVER && s.traceId === traceOf(name),
      );
      expect(server?.name).toBe(INCREMENT_ROUTE);
      return receiver.spans.filter(
        (s) => s.name.startsWith(STATEMENT) && s.parentSpanId === server?.spanId,
      );
    };
    expect(statementsUnder('first')).toHaveLength(1);
    expect(statementsUnder('second')).toHaveLength(1);
    expect(statementsUnder('third')).toHaveLength(0);
  });
});
