import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../support/admin-client.js';
import { answer, BackendServer, stall, type BackendHandler } from '../support/backend-server.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { breakerEnv } from '../support/breaker-app.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

const THRESHOLD = 2;
const HALF_OPEN_AFTER_MS = 1_000;
/**
 * Half of it (2 s) is far past the backend's latency, and past a cooldown: every cut here is its
 * caller's doing, even one of a call from before the opening, cut while the probe is out.
 */
const UPSTREAM_TIMEOUT_MS = 4_000;
/** The healthy backend's latency: long enough for its caller to leave first. */
const LATENCY_MS = 400;
/** A probe's deadline under the backend's latency: the caller cuts it, not the backend. */
const SHORT_DEADLINE = '150ms';
/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 10_000;

/** Fails at once: opens the breaker. */
const failing: BackendHandler = answer(500, { code: 'BROKEN' });
/** Healthy again, but it takes LATENCY_MS to answer. */
const slowButHealthy: BackendHandler = (req, res, hit) =>
  void sleep(LATENCY_MS).then(() => {
    if (!res.destroyed) answer(200, { hit })(req, res, hit);
  });

describe('a half-open probe whose caller leaves decides nothing: the next call is the probe (healthy backend, hits counted on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    backend = await new BackendServer().start();
    db = await defaultDatabaseEnv();
  });
  // Each case starts an app with a closed breaker of its own.
  beforeEach(async () => {
    t = await startTestApp({
      ...db.env,
      ...breakerEnv(backend.url, {
        threshold: THRESHOLD,
        halfOpenAfterMs: HALF_OPEN_AFTER_MS,
        timeoutMs: UPSTREAM_TIMEOUT_MS,
      }),
    });
  });
  afterEach(() => t.close());
  afterAll(async () => {
    await backend.close();
    await db.drop();
  });

  const fanout = async (headers: Record<string, string> = {}): Promise<JsonBody> => {
    const res = await fetch(`${t.baseUrl}/api/fanout`, { headers });
    expect(res.status).toBe(200);
    return json(res);
  };
  /**
   * upstream_circuit_state, the transitions into open and closed, and the probes given back, from
   * the admin /metrics.
   */
  const breaker = async () => {
    const admin = new AdminClient(() => t.adminUrl);
    const read = async (name: string, labels?: Record<string, string>): Promise<number> =>
      (await admin.metric(name, labels)) ?? 0;
    return {
      state: await read('upstream_circuit_state'),
      open: await read('upstream_circuit_transitions_total', { state: 'open' }),
      closed: await read('upstream_circuit_transitions_total', { state: 'closed' }),
      released: await read('upstream_circuit_probes_released_total'),
    };
  };

  /** THRESHOLD 500s open it; the cooldown passes; the backend heals (slowly). */
  const openThenHeal = async (): Promise<void> => {
    backend.handler = failing;
    for (let i = 0; i < THRESHOLD; i++) {
      expect((await fanout()).backends[0]).toMatchObject({ error: 'UPSTREAM_BAD_STATUS' });
    }
    expect((await breaker()).state).toBe(1);
    backend.handler = slowButHealthy;
    await sleep(HALF_OPEN_AFTER_MS + 50);
  };

  /**
   * The probe has ended at its caller's hand (the backend saw its connection close): the breaker
   * neither closed nor re-opened, and the very next call reaches the backend as the new probe,
   * whose answer closes the breaker.
   */
  const expectNextCallIsTheProbe = async (before: Awaited<ReturnType<typeof breaker>>) => {
    await until(() => backend.inFlight === 0, EVENTUALLY_MS);
    const given = { ...before, released: before.released + 1 };
    expect(await breaker()).toEqual({ ...given, state: 2 });
    const hits = backend.hits;
    expect((await fanout()).backends[0]).toMatchObject({ ok: true, status: 200 });
    expect(backend.hits).toBe(hits + 1);
    expect(await breaker()).toEqual({ ...given, state: 0, closed: before.closed + 1 });
  };

  it('a probe whose client disconnects neither closes nor re-opens the breaker', async () => {
    await openThenHeal();
    const before = await breaker();
    const hits = backend.hits;
    const client = new AbortController();
    const pending = fetch(`${t.baseUrl}/api/fanout`, { signal: client.signal }).catch(() => null);
    await until(() => backend.hits === hits + 1, EVENTUALLY_MS); // it was the probe
    client.abort();
    await pending;
    await expectNextCallIsTheProbe(before);
  });

  it("a probe cut by its caller's short deadline neither closes nor re-opens the breaker", async () => {
    await openThenHeal();
    const before = await breaker();
    const hits = backend.hits;
    const probe = (await fanout({ 'x-request-timeout': SHORT_DEADLINE })).backends[0];
    expect(probe).toMatchObject({ ok: false, error: 'UPSTREAM_TIMEOUT' });
    expect(backend.hits).toBe(hits + 1); // it was the probe: it reached the backend
    await expectNextCallIsTheProbe(before);
  });

  it('a call from before the opening whose client disconnects while the probe is out decides nothing', async () => {
    // A call the backend holds while others fail and open the breaker.
    backend.handler = stall;
    const hits = backend.hits;
    const early = new AbortController();
    const pending = fetch(`${t.baseUrl}/api/fanout`, { signal: early.signal }).catch(() => null);
    await until(() => backend.hits === hits + 1, EVENTUALLY_MS);
    await openThenHeal();
    const before = await breaker();

    const probe = fanout();
    await until(() => backend.hits === hits + 1 + THRESHOLD + 1, EVENTUALLY_MS);
    early.abort(); // under half of UPSTREAM_TIMEOUT_MS after it started: not the backend's fault
    await pending;
    expect((await probe).backends[0]).toMatchObject({ ok: true, status: 200 });
    expect(await breaker()).toEqual({ ...before, state: 0, closed: before.closed + 1 });
  });
});
