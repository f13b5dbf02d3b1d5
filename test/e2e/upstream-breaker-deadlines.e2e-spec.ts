import { AdminClient } from '../support/admin-client.js';
import { stall, type BackendServer } from '../support/backend-server.js';
import { startBreakerApp } from '../support/breaker-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

const THRESHOLD = 3;
/**
 * 2 s: whether a cut attempt counts is read off the clock (half of this), and a short attempt
 * must stay short on a loaded machine. At 1 s, one of the 200 ms attempts below, stretched past
 * 500 ms by a stall under CI's two jest workers, counted, and the breaker opened one attempt
 * early in the next test.
 */
const UPSTREAM_TIMEOUT_MS = 2_000;
/** Room to answer after a deadline cuts a call, on a loaded machine (upstream-hostile-backend). */
const MARGIN_MS = 200;
/** Attempts of 300 − 200/2 = 200 ms: cut well before half of UPSTREAM_TIMEOUT_MS. */
const SHORT_DEADLINE = '300ms';
/** Attempts of 1,700 − 200/2 = 1,600 ms: under UPSTREAM_TIMEOUT_MS, past half of it. */
const LONGER_DEADLINE = '1700ms';

describe("callers' deadlines under UPSTREAM_TIMEOUT_MS on a hung backend (hits counted on its side)", () => {
  let backend: BackendServer;
  let t: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ backend, t, close } = await startBreakerApp(
      stall,
      {
        threshold: THRESHOLD,
        halfOpenAfterMs: 60_000, // once open, it stays open for the test
        timeoutMs: UPSTREAM_TIMEOUT_MS,
      },
      { UPSTREAM_DEADLINE_MARGIN_MS: String(MARGIN_MS) },
    ));
  });
  afterAll(() => close());

  const fanout = async (deadline: string): Promise<JsonBody> => {
    const res = await fetch(`${t.baseUrl}/api/fanout`, {
      headers: { 'x-request-timeout': deadline },
    });
    expect(res.status).toBe(200);
    return json(res);
  };
  const circuitState = async (): Promise<number | undefined> =>
    new AdminClient(() => t.adminUrl).metric('upstream_circuit_state');

  it('deadlines under half of UPSTREAM_TIMEOUT_MS never open it: one client cannot open it for all', async () => {
    const before = backend.hits;
    for (let i = 0; i < THRESHOLD + 2; i++) {
      expect((await fanout(SHORT_DEADLINE)).backends[0]).toMatchObject({
        error: 'UPSTREAM_TIMEOUT',
      });
    }
    expect(backend.hits - before).toBe(THRESHOLD + 2);
    expect(await circuitState()).toBe(0);
  });

  it('attempts cut past half of UPSTREAM_TIMEOUT_MS count: the hung backend opens it, and calls then fail fast', async () => {
    for (let i = 0; i < THRESHOLD; i++) {
      expect((await fanout(LONGER_DEADLINE)).backends[0]).toMatchObject({
        error: 'UPSTREAM_TIMEOUT',
      });
    }
    expect(await circuitState()).toBe(1);
    const before = backend.hits;
    expect((await fanout(LONGER_DEADLINE)).backends[0]).toMatchObject({
      error: 'UPSTREAM_CIRCUIT_OPEN',
    });
    expect(backend.hits).toBe(before);
  });
});
