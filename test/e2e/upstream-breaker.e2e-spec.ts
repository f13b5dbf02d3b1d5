import { setTimeout as sleep } from 'node:timers/promises';
import { answer, BackendServer } from '../support/backend-server.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const THRESHOLD = 3;
const HALF_OPEN_AFTER_MS = 400;

describe('circuit breaker on a backend answering 503 (real backend, hits counted on its side)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    backend = await new BackendServer(answer(503, { down: true })).start();
    db = await defaultDatabaseEnv();
    t = await startTestApp({
      ...db.env,
      BACKEND_URLS: backend.url,
      UPSTREAM_BREAKER_THRESHOLD: String(THRESHOLD),
      UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS),
      UPSTREAM_RETRY_MAX: '0',
    });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
    await db.drop();
  });

  const fanout = async (): Promise<JsonBody> => {
    const res = await fetch(`${t.baseUrl}/api/fanout`);
    expect(res.status).toBe(200); // a failing backend degrades its entry, never the answer
    return json(res);
  };
  const circuitState = async (): Promise<number> => {
    const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('upstream_circuit_state{'));
    return Number(line?.split(' ').pop());
  };

  it('opens after the threshold, then fails fast without calling the backend', async () => {
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
    expect(backend.hits).toBe(THRESHOLD);
    expect(await circuitState()).toBe(1);

    for (let i = 0; i < 20; i++) {
      const entry = (await fanout()).backends[0];
      expect(entry).toMatchObject({ ok: false, status: 503, error: 'UPSTREAM_CIRCUIT_OPEN' });
      // Failing fast: no socket, no wait (generous bound for a loaded CI machine).
      expect(entry.latencyMs).toBeLessThan(20);
    }
    expect(backend.hits).toBe(THRESHOLD);
  });

  it('after the cooldown lets exactly one probe through; a failed probe re-opens it', async () => {
    // A slow failing probe: the calls arriving meanwhile must not wait for its verdict.
    backend.handler = (req, res, hit) => setTimeout(() => answer(503)(req, res, hit), 200);
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const answers = await Promise.all(Array.from({ length: 5 }, () => fanout()));
    expect(backend.hits).toBe(THRESHOLD + 1);
    const entries = answers.map((a) => a.backends[0]);
    const probe = entries.find((e) => e.error === 'UPSTREAM_BAD_STATUS');
    expect(probe.latencyMs).toBeGreaterThanOrEqual(199);
    for (const e of entries.filter((x) => x !== probe)) expect(e.latencyMs).toBeLessThan(50);
    const errors = entries.map((e) => e.error).sort();
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
    const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
    const backendLabel = `backend="${new URL(backend.url).host}"`;
    for (const state of ['open', 'half_open', 'closed']) {
      expect(text).toMatch(
        new RegExp(
          `upstream_circuit_transitions_total\\{${backendLabel},state="${state}"\\} [1-9]`,
        ),
      );
    }
    expect(text).toMatch(
      new RegExp(`upstream_calls_total\\{${backendLabel},outcome="circuit_open"\\} [1-9]`),
    );
  });
});
