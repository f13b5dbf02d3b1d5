/**
 * What the breaker lets through the bulkhead (upstream/circuit.admission.ts): calls that waited
 * for a slot from before the opening, and a half-open probe that finds no slot. Hits are counted
 * on the backend's side; the breaker is read through the admin /metrics.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import { CircuitState } from 'cockatiel';
import { UpstreamPolicies } from '../../src/upstream/upstream.policies.js';
import { UpstreamService } from '../../src/upstream/upstream.service.js';
import { AdminClient } from '../support/admin-client.js';
import { BackendServer } from '../support/backend-server.js';
import { breakerEnv } from '../support/breaker-app.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json, type JsonBody } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

const HALF_OPEN_AFTER_MS = 300;
/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 10_000;

describe('the breaker and the bulkhead queue (one slot, threshold 1)', () => {
  let backend: BackendServer;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;
  /** Requests the backend holds until the test answers them, in arrival order. */
  const held: ServerResponse[] = [];
  /** Every /api/fanout call the test made, answered or not. */
  const calls: Promise<unknown>[] = [];

  const start = async (maxQueue: number): Promise<void> => {
    backend = await new BackendServer((_req, res) => void held.push(res)).start();
    t = await startTestApp({
      ...db.env,
      ...breakerEnv(backend.url, {
        threshold: 1,
        halfOpenAfterMs: HALF_OPEN_AFTER_MS,
        timeoutMs: 30_000, // held calls end when the test says, never on a timeout
      }),
      UPSTREAM_MAX_CONCURRENT: '1',
      UPSTREAM_MAX_QUEUE: String(maxQueue),
    });
  };
  beforeAll(async () => {
    db = await defaultDatabaseEnv();
  });
  afterEach(async () => {
    // The backend first: whatever it still holds, or is still to receive, fails at once; then
    // the calls still open end, so no keep-alive connection is busy when the app closes.
    held.splice(0);
    await backend?.close();
    await Promise.allSettled(calls.splice(0));
    await t?.close();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const policy = () => t.app.get(UpstreamPolicies).forBackend(new URL(backend.url).host);
  const fanout = (): Promise<JsonBody> => {
    const call = fetch(`${t.baseUrl}/api/fanout`).then(
      async (res) => (await json(res)).backends[0],
    );
    calls.push(call);
    return call;
  };
  const answer = (status: number) => {
    const res = held.shift()!;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{}');
  };
  const metric = (name: string, labels?: Record<string, string>) =>
    new AdminClient(() => t.adminUrl).metric(name, labels);

  it('calls queued while it was closed never reach the backend once it opened, not even during half-open: the probe alone does', async () => {
    await start(2);
    const a = fanout();
    await until(() => held.length === 1, EVENTUALLY_MS);
    const refused: JsonBody[] = [];
    const queued = [fanout(), fanout()].map((call) => call.then((entry) => refused.push(entry)));
    await until(() => policy().bulkhead.queueSlots === 0, EVENTUALLY_MS);

    // The event loop stalls as the breaker opens (a GC pause, a CPU-bound handler) past the
    // cooldown, while the two queued calls drain through the slot the failed call freed; the
    // first call after it arrives mid-drain. Immediates run in order: the first queued call asks
    // the breaker again, then this call goes in as the probe, then the second queued call asks.
    const upstream = t.app.get(UpstreamService);
    const [target] = upstream.backends;
    let probe: Promise<unknown> | undefined;
    const stall = policy().breaker.onStateChange((state) => {
      if (state !== CircuitState.Open) return;
      stall.dispose();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HALF_OPEN_AFTER_MS + 100);
      setImmediate(() => {
        probe = upstream.request(target!, { path: '/api/fanout' }).catch((e: unknown) => e);
      });
    });
    answer(500);
    expect(await a).toMatchObject({ error: 'UPSTREAM_BAD_STATUS' });

    // Before, both went on to the backend (the first in the cooldown's wake, the second during
    // half-open, ahead of the probe queued behind it) and were still held there.
    await until(() => refused.length === 2, EVENTUALLY_MS);
    await Promise.all(queued);
    expect(refused).toEqual([
      expect.objectContaining({ error: 'UPSTREAM_CIRCUIT_OPEN' }),
      expect.objectContaining({ error: 'UPSTREAM_CIRCUIT_OPEN' }),
    ]);
    await until(() => held.length === 1, EVENTUALLY_MS);
    expect(backend.hits).toBe(2); // the failed call, then the probe: nothing in between
    expect(await metric('upstream_circuit_state')).toBe(CircuitState.HalfOpen);

    answer(200);
    expect(await probe).toMatchObject({ status: 200 });
    expect(await metric('upstream_circuit_state')).toBe(CircuitState.Closed);
  });

  it('a half-open probe refused by a full bulkhead is given back: once a slot frees, the next call probes', async () => {
    await start(0);
    const transitions = async () =>
      Promise.all(
        ['open', 'half_open', 'closed'].map(
          async (state) => (await metric('upstream_circuit_transitions_total', { state })) ?? 0,
        ),
      );
    const a = fanout();
    await until(() => held.length === 1, EVENTUALLY_MS);
    answer(503);
    expect(await a).toMatchObject({ error: 'UPSTREAM_BAD_STATUS' });
    expect(await metric('upstream_circuit_state')).toBe(CircuitState.Open);

    // Calls alone never fill the bulkhead at a probe: each opening frees the failing call's slot
    // and nothing new enters until the probe. The test holds the one slot itself.
    let release!: () => void;
    const slot = policy().bulkhead.execute(() => new Promise<void>((r) => (release = r)));
    expect(policy().bulkhead.executionSlots).toBe(0);
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const before = await transitions();
    expect(await fanout()).toMatchObject({ error: 'UPSTREAM_BULKHEAD_FULL' });
    expect(await metric('upstream_circuit_state')).toBe(CircuitState.HalfOpen);
    const after = await transitions();
    expect(after.map((n, i) => n - before[i]!)).toEqual([0, 1, 0]); // open, half_open, closed
    expect(backend.hits).toBe(1);

    // No further cooldown: the next call is the probe.
    release();
    await slot;
    const next = fanout();
    await until(() => held.length === 1, EVENTUALLY_MS);
    answer(200);
    expect(await next).toMatchObject({ ok: true });
    expect(await metric('upstream_circuit_state')).toBe(CircuitState.Closed);
  });
});
