import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../support/admin-client.js';
import { stall, type BackendServer } from '../support/backend-server.js';
import { startBreakerApp } from '../support/breaker-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

const THRESHOLD = 2;
const HALF_OPEN_AFTER_MS = 1_000;
/** Each opening call waits this long on the hung backend: short, so the breaker opens soon. */
const UPSTREAM_TIMEOUT_MS = 600;
/** A probe's deadline far under UPSTREAM_TIMEOUT_MS: its caller cuts it, not the backend. */
const SHORT_DEADLINE = '150ms';
/** A failure bound for something the test has already caused, on a busy machine. */
const EVENTUALLY_MS = 10_000;

describe('a half-open probe cut short by its caller closes nothing and re-opens nothing: the next call probes (hung backend, hits counted on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ backend, t, close } = await startBreakerApp(stall, {
      threshold: THRESHOLD,
      halfOpenAfterMs: HALF_OPEN_AFTER_MS,
      timeoutMs: UPSTREAM_TIMEOUT_MS,
    }));
  });
  afterAll(() => close());

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
   * After the cut probe: no verdict (still half-open, no transition out of it), and the next call
   * is the probe at once, with no further cooldown: of three calls at once, it alone reaches the
   * backend (the rest are refused), and the hung backend's timeout re-opens the breaker. Calls
   * are then refused at once without reaching the backend.
   */
  const expectGivenBack = async (before: Awaited<ReturnType<typeof breaker>>, hits: number) => {
    await until(() => backend.inFlight === 0, EVENTUALLY_MS); // the cut probe's socket closed
    const delta = (now: Awaited<ReturnType<typeof breaker>>) => ({
      state: now.state,
      half_open: now.half_open - before.half_open,
      open: now.open - before.open,
      closed: now.closed - before.closed,
    });
    expect(delta(await breaker())).toEqual({ state: 2, half_open: 1, open: 0, closed: 0 });

    const answers = await Promise.all(Array.from({ length: 3 }, () => fanout()));
    expect(answers.map((a) => a.backends[0].error).sort()).toEqual([
      'UPSTREAM_CIRCUIT_OPEN',
      'UPSTREAM_CIRCUIT_OPEN',
      'UPSTREAM_TIMEOUT',
    ]);
    expect(backend.hits).toBe(hits + 1);
    expect(delta(await breaker())).toEqual({ state: 1, half_open: 1, open: 1, closed: 0 });
    expect((await fanout()).backends[0]).toMatchObject({ error: 'UPSTREAM_CIRCUIT_OPEN' });
    expect(backend.hits).toBe(hits + 1);
  };

  it("a probe cut by its caller's short deadline is given back: the next call probes", async () => {
    await openOnHungBackend();
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const before = await breaker();
    const hits = backend.hits;
    const probe = (await fanout({ 'x-request-timeout': SHORT_DEADLINE })).backends[0];
    expect(probe).toMatchObject({ ok: false, error: 'UPSTREAM_TIMEOUT' });
    expect(backend.hits).toBe(hits + 1); // it was the probe: it reached the backend
    await expectGivenBack(before, hits + 1);
  });

  it('a probe whose client disconnects is given back: the next call probes', async () => {
    await openOnHungBackend();
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const before = await breaker();
    const hits = backend.hits;
    const client = new AbortController();
    const pending = fetch(`${t.baseUrl}/api/fanout`, { signal: client.signal }).catch(() => null);
    await until(() => backend.hits === hits + 1, EVENTUALLY_MS);
    client.abort();
    await pending;
    await expectGivenBack(before, hits + 1);
  });
});
