import { freePort, startChild, type Child } from '../support/child-process.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

describe('probes and the admin listener', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(['/healthz', '/readyz', '/startupz'])('%s answers 200 once started', async (path) => {
    const res = await fetch(`${t.baseUrl}${path}`);
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('ok');
  });

  it('an operator can take the pod out of rotation on the admin port, and back', async () => {
    expect((await fetch(`${t.adminUrl}/readyz/disable`, { method: 'POST' })).status).toBe(200);
    const down = await fetch(`${t.baseUrl}/readyz`);
    expect(down.status).toBe(503);
    const body = await json(down);
    expect(body.code).toBe('NOT_READY');
    expect(body.checks.lifecycle.reason).toBe('disabled by operator');
    // The probe port gives the same problem, with its own request's id as every problem has.
    const probe = await fetch(`${t.probeUrl}/readyz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(probe.status).toBe(503);
    expect(await json(probe)).toMatchObject({ code: 'NOT_READY', requestId: 'probe-1' });
    // Liveness must not follow readiness: a restart would not help.
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/readyz/enable`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
  });

  it('/readyz?verbose shows the database state (breaker, pool) with 200', async () => {
    const res = await fetch(`${t.baseUrl}/readyz?verbose`);
    expect(res.status).toBe(200);
    const database = (await json(res)).details.database;
    expect(database).toMatchObject({ status: 'up', breaker: 'closed' });
    expect(database.pool).toEqual(expect.objectContaining({ max: expect.any(Number) }));
  });

  it('operator endpoints do not exist on the public port', async () => {
    const res = await fetch(`${t.baseUrl}/readyz/disable`, { method: 'POST' });
    expect(res.status).toBe(404);
  });
});

describe('probe logging (real child process, its stdout read)', () => {
  const TOKEN = 'probe-log-test-token-0123456789';
  let child: Child;

  beforeAll(async () => {
    child = await startChild({ LOG_LEVEL: 'info', NODE_ENV: 'test', ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
  });

  const admin = (path: string) =>
    fetch(`${child.adminUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
  /** The child's complete log lines so far (a line still arriving is left for later). */
  const lines = () =>
    child
      .output()
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('a readiness failure is logged once when it starts (warn, reason, no stack) and once when it ends (info), not per probe', async () => {
    expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
    expect((await admin('/readyz/disable')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(503);
    expect((await admin('/readyz/enable')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
    // The log is one ordered stream: once the line of the first 200 after the 503s is here, so
    // is every line the 503s wrote. A fixed wait for it read a busy machine's output too soon.
    const backInRotation = () => {
      const all = lines();
      const down = all.findIndex((l) => l.msg === 'not ready: out of rotation');
      return down >= 0 && all.slice(down).some((l) => l.msg === 'ready: in rotation');
    };
    await until(backInRotation, 10_000);

    const all = lines();
    const down = all.filter((l) => l.msg === 'not ready: out of rotation');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({
      level: 'warn',
      failing: { lifecycle: 'disabled by operator' },
    });
    expect(down[0]).not.toHaveProperty('err');
    expect(JSON.stringify(down[0])).not.toMatch(/stack|at .*\.js:/);
    const after = all.slice(all.indexOf(down[0]!));
    expect(after.filter((l) => l.msg === 'ready: in rotation')).toHaveLength(1);
    // The five 503 answers themselves logged nothing at warn or error.
    const loud = all.filter(
      (l) =>
        (l.level === 'warn' || l.level === 'error') &&
        /NOT_READY|request failed/.test(JSON.stringify(l)),
    );
    expect(loud).toEqual([]);
  });
});

describe('readiness with Redis unreachable (a shared dependency)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Nothing listens there: Redis is away from the start.
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => t.close());

  it('/readyz stays 200 and shows redis degraded (everything Redis backs fails open)', async () => {
    const res = await fetch(`${t.baseUrl}/readyz?verbose`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe('degraded');
    expect(body.details.redis).toMatchObject({ status: 'degraded', failOpen: true });
    expect(body.details.lifecycle.status).toBe('up');
  });
});
