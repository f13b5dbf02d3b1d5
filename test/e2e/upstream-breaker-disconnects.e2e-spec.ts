import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../support/admin-client.js';
import { stall, type BackendServer } from '../support/backend-server.js';
import { startBreakerApp } from '../support/breaker-app.js';
import { json } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { eventually, until } from '../support/wait.js';

const THRESHOLD = 3;
/** Long, so that no attempt here ends on its own timeout: every one is cut by its client. */
const UPSTREAM_TIMEOUT_MS = 4_000;
/**
 * How long the patient clients wait once the backend has their request: past half of
 * UPSTREAM_TIMEOUT_MS (the attempt started before the backend saw it), well short of all of it.
 */
const PATIENCE_MS = UPSTREAM_TIMEOUT_MS * 0.65;
/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 10_000;

describe('clients that disconnect from calls to a hung backend (a load balancer hanging up first; hits counted on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ backend, t, close } = await startBreakerApp(stall, {
      threshold: THRESHOLD,
      halfOpenAfterMs: 60_000, // once open, it stays open for the test
      timeoutMs: UPSTREAM_TIMEOUT_MS,
    }));
  });
  afterAll(() => close());

  const admin = () => new AdminClient(() => t.adminUrl);
  const circuitState = async (): Promise<number | undefined> =>
    admin().metric('upstream_circuit_state');
  const cancelled = async (): Promise<number> =>
    (await admin().metric('upstream_calls_total', { outcome: 'cancelled' })) ?? 0;

  /**
   * `count` clients call /api/fanout at once; once the backend holds all their calls, each
   * waits `waitMs` more and disconnects. Resolves once the backend saw every connection close.
   */
  const disconnectAfter = async (count: number, waitMs: number): Promise<void> => {
    const hits = backend.hits;
    const clients = Array.from({ length: count }, () => new AbortController());
    const pending = clients.map((c) =>
      fetch(`${t.baseUrl}/api/fanout`, { signal: c.signal }).catch(() => null),
    );
    await until(() => backend.hits === hits + count, EVENTUALLY_MS);
    if (waitMs > 0) await sleep(waitMs);
    for (const c of clients) c.abort();
    await Promise.all(pending);
    await until(() => backend.inFlight === 0, EVENTUALLY_MS);
  };

  it('clients gone before half of UPSTREAM_TIMEOUT_MS never open it: one impatient client cannot open it for all', async () => {
    const before = await cancelled();
    await disconnectAfter(THRESHOLD + 2, 0);
    await eventually(async () => (await cancelled()) === before + THRESHOLD + 2, EVENTUALLY_MS);
    expect(await circuitState()).toBe(0);
  });

  it('clients gone after half of UPSTREAM_TIMEOUT_MS count: the hung backend opens it, and calls then fail fast', async () => {
    const before = await cancelled();
    await disconnectAfter(THRESHOLD, PATIENCE_MS);
    await eventually(async () => (await circuitState()) === 1, EVENTUALLY_MS);
    // Each call still ended as its client's: cancelled, not a timeout.
    expect(await cancelled()).toBe(before + THRESHOLD);
    expect((await admin().metric('upstream_timeouts_total')) ?? 0).toBe(0);

    const hits = backend.hits;
    const res = await fetch(`${t.baseUrl}/api/fanout`);
    expect((await json(res)).backends[0]).toMatchObject({ error: 'UPSTREAM_CIRCUIT_OPEN' });
    expect(backend.hits).toBe(hits);
  });
});
