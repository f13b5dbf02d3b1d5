import { json } from '../support/http.js';
import { startChild } from '../support/child-process.js';

describe('graceful shutdown (real child process, SIGTERM)', () => {
  it('drains 50 in-flight requests with 200, answers readiness 503 meanwhile, exits 0', async () => {
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: '600',
      SHUTDOWN_TIMEOUT_MS: '8000',
    });
    const requests = Array.from({ length: 50 }, () =>
      fetch(`${child.baseUrl}/hello?delay=1500ms`).then(async (r) => ({
        status: r.status,
        connection: r.headers.get('connection'),
        body: await r.text(),
      })),
    );
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 150));
    const ready = await fetch(`${child.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks.lifecycle.reason).toBe('draining');
    // Liveness stays green while draining: the kubelet must not kill a draining pod.
    expect((await fetch(`${child.baseUrl}/healthz`)).status).toBe(200);

    const results = await Promise.all(requests);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.every((r) => r.connection === 'close')).toBe(true);
    const code = await child.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(8000);
    expect(child.output()).toContain('shutdown: step 7, exit');
  });

  it('exits non-zero and says why when a request outlives SHUTDOWN_TIMEOUT_MS', async () => {
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '800',
      REQUEST_TIMEOUT_MS: '60000',
    });
    const stuck = fetch(`${child.baseUrl}/hello?delay=20s`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    child.process.kill('SIGTERM');
    const code = await child.exited;
    expect(code).not.toBe(0);
    expect(child.output()).toContain('shutdown deadline passed with requests still open');
    expect(child.output()).toContain('/hello?delay=20s');
    await stuck;
  });

  it('a second signal forces exit at once', async () => {
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    child.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    child.process.kill('SIGINT');
    const code = await child.exited;
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('configuration errors stop start-up', () => {
  it('exits non-zero naming every bad variable', async () => {
    const child = await startChild(
      { PORT: 'eighty', HELLO_MAX_DELAY_MS: '-1', DB_POOL_MAX: '0' },
      { waitReady: false },
    );
    const code = await child.exited;
    expect(code).not.toBe(0);
    for (const name of ['PORT', 'HELLO_MAX_DELAY_MS', 'DB_POOL_MAX']) {
      expect(child.output()).toContain(name);
    }
  });
});
