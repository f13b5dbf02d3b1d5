import { answer, BackendServer } from '../support/backend-server.js';
import { until } from '../support/wait.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

const MAX_CONCURRENT = 2;
const MAX_QUEUE = 1;

/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 10_000;

describe('bulkhead: a slow backend cannot hold more than its share', () => {
  let backend: BackendServer;
  let t: TestApp;
  /** Requests the backend holds until the test lets each answer: slow, not failing. */
  const held: Array<() => void> = [];

  beforeAll(async () => {
    backend = await new BackendServer((req, res, hit) => {
      held.push(() => answer(200, { hit })(req, res, hit));
    }).start();
    t = await startTestAppWithDatabase({
      BACKEND_URLS: backend.url,
      UPSTREAM_MAX_CONCURRENT: String(MAX_CONCURRENT),
      UPSTREAM_MAX_QUEUE: String(MAX_QUEUE),
      // Held calls wait as long as the test needs: none may end in a timeout instead.
      UPSTREAM_TIMEOUT_MS: '30000',
    });
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
  });

  it('rejects the calls beyond MAX_CONCURRENT + MAX_QUEUE at once with UPSTREAM_BULKHEAD_FULL', async () => {
    const total = 6;
    const answered: JsonBody[] = [];
    const pending = Array.from({ length: total }, () =>
      fetch(`${t.baseUrl}/api/fanout`)
        .then(async (r) => (await json(r)) as JsonBody)
        .then((body) => (answered.push(body), body)),
    );
    // Two calls held at the backend, one in the queue, and the other three already answered:
    // rejected at once, not after a backend round trip.
    await until(
      () => backend.inFlight === MAX_CONCURRENT && answered.length === total - 3,
      EVENTUALLY_MS,
    );
    const rejected = answered.map((body) => body.backends[0]);
    expect(rejected.map((e) => [e.error, e.status])).toEqual(
      Array(total - MAX_CONCURRENT - MAX_QUEUE).fill(['UPSTREAM_BULKHEAD_FULL', 503]),
    );
    const during = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(during).toMatch(/upstream_bulkhead_active_calls\{[^}]*\} 2\b/);
    expect(during).toMatch(/upstream_bulkhead_queue_depth\{[^}]*\} 1\b/);
    expect(backend.hits).toBe(MAX_CONCURRENT);

    // The queued call reaches the backend once a slot frees, and not before.
    held.shift()!();
    await until(() => backend.hits === MAX_CONCURRENT + 1 && held.length === 2, EVENTUALLY_MS);
    for (const release of held.splice(0)) release();

    const entries = (await Promise.all(pending)).map((body) => body.backends[0]);
    expect(entries.filter((e) => e.error === 'UPSTREAM_BULKHEAD_FULL')).toHaveLength(
      total - MAX_CONCURRENT - MAX_QUEUE,
    );
    expect(entries.filter((e) => e.ok)).toHaveLength(MAX_CONCURRENT + MAX_QUEUE);
    expect(backend.hits).toBe(MAX_CONCURRENT + MAX_QUEUE);
    const after = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(after).toMatch(/upstream_bulkhead_rejections_total\{[^}]*\} 3\b/);
  });
});

describe('the default bulkhead keeps a hung backend to a share of the public limit', () => {
  it('150 fan-outs to a backend that never answers: 25 held, 25 queued, the rest degraded at once, and /hello is served', async () => {
    const backend = await new BackendServer(() => undefined).start();
    // Admission on, with its defaults (initial limit 100), and the bulkhead's defaults.
    const t = await startTestAppWithDatabase({
      BACKEND_URLS: backend.url,
      ADMISSION_ENABLED: 'true',
      UPSTREAM_TIMEOUT_MS: '30000',
    });
    try {
      const total = 150;
      let answered = 0;
      const pending = Array.from({ length: total }, () =>
        fetch(`${t.baseUrl}/api/fanout`).then(async (r) => {
          answered++;
          return (await json(r)) as JsonBody;
        }),
      );
      await until(() => backend.inFlight === 25 && answered === total - 50, EVENTUALLY_MS);
      const hello = await fetch(`${t.baseUrl}/hello`);
      expect(hello.status).toBe(200);
      await hello.arrayBuffer();
      await backend.close(); // the held calls end as unreachable
      const entries = (await Promise.all(pending)).map((body) => body.backends[0]);
      expect(entries.filter((e) => e.error === 'UPSTREAM_BULKHEAD_FULL')).toHaveLength(100);
    } finally {
      await t.close();
    }
  });
});

describe('calls queued for a slot when the breaker opens', () => {
  it('fail fast with UPSTREAM_CIRCUIT_OPEN instead of going on to the backend', async () => {
    const backend = await new BackendServer(() => undefined).start(); // accepts, never answers
    const t = await startTestAppWithDatabase({
      BACKEND_URLS: backend.url,
      UPSTREAM_MAX_CONCURRENT: '2',
      UPSTREAM_MAX_QUEUE: '2',
      // One failure opens it: the first timeout frees a slot with the circuit already open.
      UPSTREAM_BREAKER_THRESHOLD: '1',
      UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      UPSTREAM_TIMEOUT_MS: '300',
      UPSTREAM_RETRY_MAX: '0',
    });
    try {
      // Two calls time out at the backend and open the breaker; two wait for their slots.
      const bodies = await Promise.all(
        Array.from({ length: 4 }, async () => json(await fetch(`${t.baseUrl}/api/fanout`))),
      );
      const errors = bodies.map((body) => body.backends[0].error).sort();
      expect(errors).toEqual([
        'UPSTREAM_CIRCUIT_OPEN',
        'UPSTREAM_CIRCUIT_OPEN',
        'UPSTREAM_TIMEOUT',
        'UPSTREAM_TIMEOUT',
      ]);
      expect(backend.hits).toBe(2);
    } finally {
      await t.close();
      await backend.close();
    }
  });
});
