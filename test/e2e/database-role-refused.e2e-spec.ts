/**
 * The server refuses this pod's new connections while it runs (its role may no longer log in: a
 * password rotated, pg_hba changed, the role disabled), its pool's connections ended. A connect
 * refused so was passed on as a SQL error: 500 INTERNAL_ERROR (a counter's "statement failed,
 * none was applied"), and the breaker counted it as an answer and stayed closed
 * (src/database/driver-error.classifier.ts, `classifyConnectError`). Nor did any log line say
 * what the server refused: the breaker opened on `DB_UNAVAILABLE`, as for a server that is down
 * (src/database/database.policy.ts).
 */
import { startChild, type Child } from '../support/child-process.js';
import { adminQuery } from '../support/database.js';
import { json } from '../support/http.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { eventually, until } from '../support/wait.js';

const ROLE = 'rampart_app';
const REFUSED = `role "${ROLE}" is not permitted to log in (28000)`;

describe('PostgreSQL refuses the service’s role while it runs, then allows it again', () => {
  let server: ThrowawayPostgres;
  let child: Child;

  beforeAll(async () => {
    server = await ThrowawayPostgres.create();
    await adminQuery(`CREATE ROLE ${ROLE} LOGIN`, [], server.url());
    await adminQuery(`CREATE DATABASE app OWNER ${ROLE}`, [], server.url());
    child = await startChild({
      DATABASE_URL: `postgres://${ROLE}@127.0.0.1:${server.port}/app`,
      LOG_LEVEL: 'info',
      CACHE_MAX_ITEMS: '0',
    });
    const created = await fetch(`${child.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'before the refusal' }),
    });
    expect(created.status).toBe(201);
    await adminQuery(`ALTER ROLE ${ROLE} NOLOGIN`, [], server.url());
    await adminQuery(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1',
      [ROLE],
      server.url(),
    );
  }, 60_000);
  afterAll(async () => {
    child?.process.kill('SIGTERM');
    await child?.exited;
    await server?.destroy();
  });

  const logLines = (message: string): Array<Record<string, unknown>> =>
    child
      .output()
      .split('\n')
      .filter((line) => line.includes(message))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('data routes answer 503 problem+json (DB_UNAVAILABLE, then DB_CIRCUIT_OPEN), never 500; the breaker opens; /hello and /readyz 200', async () => {
    const answers: Array<{ status: number; type: string | null; retry: string | null }> = [];
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const [method, path] of [
        ['GET', '/api/items?limit=5'],
        ['POST', '/api/counters/visits/increment'],
      ]) {
        const res = await fetch(`${child.baseUrl}${path}`, { method });
        const type = res.headers.get('content-type');
        answers.push({ status: res.status, type, retry: res.headers.get('retry-after') });
        codes.push(((await res.json()) as { code: string }).code);
      }
    }
    expect(answers).toEqual(
      answers.map(() => ({
        status: 503,
        type: expect.stringMatching(/^application\/problem\+json/),
        retry: expect.stringMatching(/^\d+$/),
      })),
    );
    expect(codes).toContain('DB_UNAVAILABLE');
    expect(codes.at(-1)).toBe('DB_CIRCUIT_OPEN');
    expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
    const ready = await fetch(`${child.baseUrl}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect((await json(ready)).details.database).toMatchObject({
      status: 'degraded',
      breaker: 'open',
      cause: 'DB_UNAVAILABLE',
    });
  });

  it("the breaker's lines say what the server refused: at the opening, and while its probes fail", async () => {
    expect(logLines('database breaker opened')).toEqual([
      expect.objectContaining({ cause: 'DB_UNAVAILABLE', reason: REFUSED }),
    ]);
    await until(() => logLines('database breaker probe failed').length > 0, 10_000);
    expect(logLines('database breaker probe failed')[0]).toMatchObject({ reason: REFUSED });
  });

  it('allowed again: served by itself once a probe gets in, with the data from before', async () => {
    await adminQuery(`ALTER ROLE ${ROLE} LOGIN`, [], server.url());
    await eventually(
      async () => (await fetch(`${child.baseUrl}/api/items?limit=5`)).status === 200,
      10_000,
      100,
    );
    const list = await json(await fetch(`${child.baseUrl}/api/items?limit=5`));
    expect(list.items).toEqual([expect.objectContaining({ name: 'before the refusal' })]);
    const increment = await fetch(`${child.baseUrl}/api/counters/visits/increment`, {
      method: 'POST',
    });
    expect(await json(increment)).toEqual({ name: 'visits', value: 1 });
  });
});
