import { RecordingProxy } from '../support/backend-server.js';
import { freePort } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What each hop keeps for itself out of the deadline it passes on. The default (50 ms) covers a
 * hop on an idle machine; three instances and two proxies in one test process on a shared
 * 2-core machine need more, or B's answer reaches A after A's own attempt timed out.
 */
const MARGIN_MS = 200;

/**
 * Three real rampart instances chained A → B → C (C is the leaf: it reads the database).
 * Recording proxies in front of B and C show what each one was sent.
 */
describe('GET /api/fanout chains A → B → C', () => {
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;
  let toB: RecordingProxy;
  let toC: RecordingProxy;
  let deadUrl: string;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    db = await defaultDatabaseEnv();
    // Instances start on port 0: start the backends first, then pass their URLs on.
    // The first call crosses three cold instances and a database read: on a loaded machine that
    // took longer than the default 2 s attempt timeout, and B's entry came back 504.
    const env = {
      ...db.env,
      UPSTREAM_DEADLINE_MARGIN_MS: String(MARGIN_MS),
      UPSTREAM_TIMEOUT_MS: '10000',
    };
    c = await startTestApp({ ...env, OTEL_SERVICE_NAME: 'svc-c' });
    toC = await new RecordingProxy(() => c.baseUrl).start();
    b = await startTestApp({ ...env, OTEL_SERVICE_NAME: 'svc-b', BACKEND_URLS: toC.url });
    toB = await new RecordingProxy(() => b.baseUrl).start();
    deadUrl = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    a = await startTestApp({
      ...env,
      OTEL_SERVICE_NAME: 'svc-a',
      POD_NAME: 'svc-a-7d9f',
      BACKEND_URLS: `${toB.url},${deadUrl}`,
    });
  });
  afterAll(async () => {
    for (const app of [a, b, c]) await app?.close();
    await toB?.close();
    await toC?.close();
    await db?.drop();
  });

  it('nests every answer down to the leaf database read; one dead backend degrades only its entry', async () => {
    const res = await fetch(`${a.baseUrl}/api/fanout`, { headers: { 'x-request-id': 'chain-1' } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ service: 'svc-a', pod: 'svc-a-7d9f', degraded: true });
    const [viaB, dead] = body.backends;
    expect(dead).toMatchObject({
      url: deadUrl,
      ok: false,
      error: 'UPSTREAM_UNREACHABLE',
      degraded: true,
    });
    expect(viaB).toMatchObject({ url: toB.url, ok: true, status: 200, degraded: false });
    expect(viaB.body).toMatchObject({ service: 'svc-b', degraded: false });
    const leaf = viaB.body.backends[0];
    expect(leaf).toMatchObject({ url: toC.url, ok: true, status: 200 });
    expect(leaf.body).toMatchObject({ service: 'svc-c', degraded: false });
    expect(leaf.body.database).toEqual(
      expect.objectContaining({ database: expect.any(String), readAt: expect.any(String) }),
    );
    expect(leaf.body.backends).toBeUndefined();
    // One request id along the whole chain.
    expect(toB.received.at(-1)?.headers['x-request-id']).toBe('chain-1');
    expect(toC.received.at(-1)?.headers['x-request-id']).toBe('chain-1');
  });

  it('x-request-timeout: 1s on A bounds the whole chain; B and C get smaller deadlines', async () => {
    // C stalls far past any deadline (injected latency, cancelled by its own deadline).
    const put = await fetch(`${c.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 10_000 }),
    });
    expect(put.status).toBe(200);
    try {
      const res = await fetch(`${a.baseUrl}/api/fanout`, {
        headers: { 'x-request-timeout': '1s' },
      });
      // A answers in time, with what it has: past its deadline it could only answer 504.
      expect(res.status).toBe(200);
      const viaB = (await json(res)).backends[0];
      expect(viaB.ok).toBe(true); // B too answered in time…
      expect(viaB.body.degraded).toBe(true); // …with C's entry degraded
      expect(['UPSTREAM_BAD_STATUS', 'UPSTREAM_TIMEOUT']).toContain(viaB.body.backends[0].error);

      const deadline = (p: RecordingProxy) =>
        Number(/^(\d+)ms$/.exec(String(p.received.at(-1)?.headers['x-request-timeout']))?.[1]);
      const atB = deadline(toB);
      const atC = deadline(toC);
      // Each hop passes on what is left of its own deadline less the margin: smaller at every
      // hop, and still some left at C.
      expect(atB).toBeLessThanOrEqual(1_000 - MARGIN_MS);
      expect(atC).toBeLessThanOrEqual(atB - MARGIN_MS);
      expect(atC).toBeGreaterThan(0);
    } finally {
      await fetch(`${c.adminUrl}/chaos`, { method: 'DELETE' });
    }
  });

  it('GET /api/info answers identity, uptime, Node version and in-flight requests', async () => {
    const res = await fetch(`${a.baseUrl}/api/info`);
    expect(res.status).toBe(200);
    const info = await json(res);
    expect(info).toMatchObject({
      service: 'svc-a',
      version: expect.any(String),
      pod: 'svc-a-7d9f',
      hostname: expect.any(String),
      nodeVersion: process.version,
    });
    expect(info.uptimeSeconds).toBeGreaterThan(0);
    expect(info.inFlightRequests).toBeGreaterThanOrEqual(1); // this request
  });
});
