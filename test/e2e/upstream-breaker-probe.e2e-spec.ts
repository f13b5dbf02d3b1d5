import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../support/admin-client.js';
import { BackendServer, stall } from '../support/backend-server.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually, until } from '../support/wait.js';

const THRESHOLD = 2;
const HALF_OPEN_AFTER_MS = 1_000;
/** Each opening call waits this long on the hung backend: short, so the breaker opens soon. */
const UPSTREAM_TIMEOUT_MS = 600;
/** A probe's deadline far under UPSTREAM_TIMEOUT_MS: its caller cuts it, not the backend. */
const SHORT_DEADLINE = '150ms';
/** A failure bound for something the test has already caused, on a busy machine. */
const EVENTUALLY_MS = 10_000;

describe('a half-open probe cut short by its caller does not close the breaker (hung backend, hits counted on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    backend = await new BackendServer(stall).start();
    db = await defaultDatabaseEnv();
    t = await startTestApp({
      ...db.env,
      BACKEND_URLS: backend.url,
      UPSTREAM_BREAKER_THRESHOLD: String(THRESHOLD),
      UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS),
      UPSTREAM_RETRY_MAX: '0',
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
    await db.drop();
  });

  const fanout = async (headers: Record<string, string> = {}): Promise<JsonBody> => {
    const res = await fetch(`${t.baseUrl}/api/fanout`, { headers });
    expect(res.status).toBe(200);
    return json(res);
  };
  /** upstream_circuit_state and the transitions by state entered, from the admin /metrics. */
  const breaker = async (): Promise<{
    state: number;
    open: number;
    half_open: number;
    closed: number;
  }> => {
    const admin = new AdminClient(() => t.adminUrl);
    const read = async (name: string, labels?: Record<string, string>): Promise<number> =>
      (await admin.metric(name, labels)) ?? 0;
    const transitions = (state: string) => read('upstream_circuit_transitions_total', { state });
    return {
      state: await read('upstream_circuit_state'),
      open: await transitions('open'),
      half_open: await transitions('half_open'),
      closed: await transitions('closed'),
    };
  };

  /** THRESHOLD calls time out on the hung backend (each waits its UPSTREAM_TIMEOUT_MS): open. */
  const openOnHungBackend = async (): Promise<void> => {
    backend.handler = stall;
    if ((await breaker()).state === 1) return;
    for (let i = 0; i < THRESHOLD; i++) {
      expect((await fanout()).backends[0]).toMatchObject({ error: 'UPSTREAM_TIMEOUT' });
    }
    expect((await breaker()).state).toBe(1);
  };

  /**
   * After the probe: its verdict is in (a transition out of half-open), the breaker is open,
   * and further calls are refused at once without reaching the backend, until the next cooldown
   * lets exactly one call probe again.
   */
  const expectStillBroken = async (
    before: Awaited<ReturnType<typeof breaker>>,
    hits: number,
    probeStarted: number,
  ) => {
    await eventually(async () => {
      const now = await breaker();
      return now.open + now.closed > before.open + before.closed;
    }, EVENTUALLY_MS);
    const after = await breaker();
    expect({
      state: after.state,
      half_open: after.half_open - before.half_open,
      open: after.open - before.open,
      closed: after.closed - before.closed,
    }).toEqual({ state: 1, half_open: 1, open: 1, closed: 0 });

    // Up to 5 calls while most of the cooldown is surely left: it began after the probe started.
    let calls = 0;
    while (calls < 5 && Date.now() - probeStarted < HALF_OPEN_AFTER_MS * 0.8) {
      expect((await fanout()).backends[0]).toMatchObject({ error: 'UPSTREAM_CIRCUIT_OPEN' });
      calls++;
    }
    expect(calls).toBeGreaterThan(0);
    expect(backend.hits).toBe(hits);

    // The next cooldown: of three calls at once, one is the probe, the rest are refused.
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => fanout({ 'x-request-timeout': SHORT_DEADLINE })),
    );
    expect(answers.map((a) => a.backends[0].error).sort()).toEqual([
      'UPSTREAM_CIRCUIT_OPEN',
      'UPSTREAM_CIRCUIT_OPEN',
      'UPSTREAM_TIMEOUT',
    ]);
    expect(backend.hits).toBe(hits + 1);
    await eventually(async () => (await breaker()).state === 1, EVENTUALLY_MS);
  };

  it("a probe cut by its caller's short deadline re-opens the breaker", async () => {
    await openOnHungBackend();
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const before = await breaker();
    const hits = backend.hits;
    const probeStarted = Date.now();
    const probe = (await fanout({ 'x-request-timeout': SHORT_DEADLINE })).backends[0];
    expect(probe).toMatchObject({ ok: false, error: 'UPSTREAM_TIMEOUT' });
    expect(backend.hits).toBe(hits + 1); // it was the probe: it reached the backend
    await expectStillBroken(before, hits + 1, probeStarted);
  });

  it('a probe whose client disconnects re-opens the breaker', async () => {
    await openOnHungBackend();
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const before = await breaker();
    const hits = backend.hits;
    const probeStarted = Date.now();
    const client = new AbortController();
    const pending = fetch(`${t.baseUrl}/api/fanout`, { signal: client.signal }).catch(() => null);
    await until(() => backend.hits === hits + 1, EVENTUALLY_MS);
    client.abort();
    await pending;
    await expectStillBroken(before, hits + 1, probeStarted);
  });
});
