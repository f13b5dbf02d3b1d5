import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../support/admin-client.js';
import { answer, stall, type BackendServer } from '../support/backend-server.js';
import { startBreakerApp } from '../support/breaker-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

const THRESHOLD = 3;
const HALF_OPEN_AFTER_MS = 400;
/** Far above anything here: a call that reached a silent backend could only end this late. */
const UPSTREAM_TIMEOUT_MS = 20_000;

describe('circuit breaker on a backend answering 503 (real backend, hits counted on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ backend, t, close } = await startBreakerApp(answer(503, { down: true }), {
      threshold: THRESHOLD,
      halfOpenAfterMs: HALF_OPEN_AFTER_MS,
      timeoutMs: UPSTREAM_TIMEOUT_MS,
    }));
  });
  afterAll(() => close());

  const fanout = async (): Promise<JsonBody> => {
    const res = await fetch(`${t.baseUrl}/api/fanout`);
    expect(res.status).toBe(200); // a failing backend degrades its entry, never the answer
    return json(res);
  };
  const circuitState = async (): Promise<number | undefined> =>
    new AdminClient(() => t.adminUrl).metric('upstream_circuit_state');

  // Each test sets the breaker's state it starts from, so none leans on what an earlier one left.

  /** A healthy backend and a closed breaker (waiting out a cooldown first if it is open). */
  const closeBreaker = async (): Promise<void> => {
    backend.handler = answer(200, { recovered: true });
    if ((await circuitState()) !== 0) {
      await sleep(HALF_OPEN_AFTER_MS + 50);
      await fanout();
    }
    expect(await circuitState()).toBe(0);
  };
  /** THRESHOLD failures in a row from a closed breaker: open. */
  const openBreaker = async (): Promise<void> => {
    await closeBreaker();
    backend.handler = answer(503, { down: true });
    for (let i = 0; i < THRESHOLD; i++) await fanout();
    expect(await circuitState()).toBe(1);
  };

  it('opens after the threshold, then fails fast without calling the backend', async () => {
    await closeBreaker();
    backend.handler = answer(503, { down: true });
    const before = backend.hits;
    for (let i = 0; i < THRESHOLD; i++) {
      const body = await fanout();
      expect(body.degraded).toBe(true);
      expect(body.backends[0]).toMatchObject({
        url: backend.url,
        ok: false,
        status: 503,
        error: 'UPSTREAM_BAD_STATUS',
        degraded: true,
      });
    }
    const openedAt = Date.now(); // at the latest: it opened during the last call above
    expect(backend.hits - before).toBe(THRESHOLD);
    expect(await circuitState()).toBe(1);

    // The backend now never answers: a call that reached it could only end at the upstream
    // timeout, so every answer below proves no wait as well as no call. Up to 20 calls, while
    // at most half the cooldown has passed: past it the breaker lets one probe through (the
    // next test's subject), which a loaded machine reached before the 20th call (CI, once).
    backend.handler = stall;
    const started = Date.now();
    let calls = 0;
    while (calls < 20 && Date.now() - openedAt < HALF_OPEN_AFTER_MS / 2) {
      const entry = (await fanout()).backends[0];
      expect(entry).toMatchObject({ ok: false, status: 503, error: 'UPSTREAM_CIRCUIT_OPEN' });
      calls++;
    }
    expect(calls).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(UPSTREAM_TIMEOUT_MS);
    expect(backend.hits - before).toBe(THRESHOLD);
  });

  // A 429 is the caller's rate limit at the backend (a chained rampart's RATE_LIMIT_PER_MINUTE),
  // not the backend's health: counted, one client over its limit opened the breaker for all.
  it('429s never open it: each one reaches the backend and the circuit stays closed', async () => {
    await closeBreaker();
    backend.handler = answer(429, { code: 'RATE_LIMITED' }, { 'retry-after': '1' });
    const before = backend.hits;
    for (let i = 0; i < THRESHOLD + 2; i++) {
      expect((await fanout()).backends[0]).toMatchObject({
        ok: false,
        status: 429,
        error: 'UPSTREAM_BAD_STATUS',
      });
    }
    expect(backend.hits - before).toBe(THRESHOLD + 2);
    expect(await circuitState()).toBe(0);
  });

  it('after the cooldown lets exactly one probe through; a failed probe re-opens it', async () => {
    await openBreaker();
    // The backend holds the probe until the test lets it answer: the calls arriving meanwhile
    // must get their answers while its verdict is still pending.
    const held: Array<() => void> = [];
    backend.handler = (req, res, hit) => held.push(() => answer(503)(req, res, hit));
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const before = backend.hits;
    const settled: JsonBody[] = [];
    const calls = Array.from({ length: 5 }, () =>
      fanout().then((body) => (settled.push(body), body)),
    );
    await until(() => held.length === 1 && settled.length === 4, 15_000);
    expect(settled.map((a) => a.backends[0].error)).toEqual(Array(4).fill('UPSTREAM_CIRCUIT_OPEN'));
    held[0]!();
    const answers = await Promise.all(calls);
    expect(backend.hits - before).toBe(1);
    const errors = answers.map((a) => a.backends[0].error).sort();
    expect(errors).toEqual([
      'UPSTREAM_BAD_STATUS', // the probe
      'UPSTREAM_CIRCUIT_OPEN',
      'UPSTREAM_CIRCUIT_OPEN',
      'UPSTREAM_CIRCUIT_OPEN',
      'UPSTREAM_CIRCUIT_OPEN',
    ]);
    expect(await circuitState()).toBe(1);
  });

  it('closes when the backend recovers, and traffic flows again', async () => {
    await openBreaker();
    backend.handler = answer(200, { recovered: true });
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const before = backend.hits;
    const probe = (await fanout()).backends[0];
    expect(probe).toMatchObject({ ok: true, status: 200, body: { recovered: true } });
    expect(await circuitState()).toBe(0);
    for (let i = 0; i < 10; i++) {
      const body = await fanout();
      expect(body.degraded).toBe(false);
      expect(body.backends[0].ok).toBe(true);
    }
    expect(backend.hits).toBe(before + 11);
  });

  it('exports every transition and outcome as metrics', async () => {
    const backendLabel = `backend="${new URL(backend.url).host}"`;
    const series = [
      ...['open', 'half_open', 'closed'].map(
        (state) => `upstream_circuit_transitions_total{${backendLabel},state="${state}"}`,
      ),
      `upstream_calls_total{${backendLabel},outcome="circuit_open"}`,
    ];
    const read = async (): Promise<number[]> => {
      const lines = (await (await fetch(`${t.adminUrl}/metrics`)).text()).split('\n');
      return series.map((s) =>
        Number(lines.find((l) => l.startsWith(`${s} `))?.split(' ')[1] ?? 0),
      );
    };
    await closeBreaker();
    const before = await read();
    await openBreaker(); // closed → open
    backend.handler = stall;
    expect((await fanout()).backends[0].error).toBe('UPSTREAM_CIRCUIT_OPEN');
    await closeBreaker(); // open → half-open → closed
    const after = await read();
    expect(after.map((v, i) => v - before[i]!)).toEqual([1, 1, 1, 1]);
  });
});
