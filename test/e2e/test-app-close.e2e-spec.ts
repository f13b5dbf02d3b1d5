/**
 * The in-process harness's close() (test/support/test-app.ts) ends even while a request is still
 * running: after its grace it drops the connection. Without that, a suite whose last request
 * outlived it waited in afterAll until the request ended, or past jest's hook timeout.
 */
import { startTestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

describe('TestApp.close()', () => {
  it('drops a connection whose request outlives the grace, instead of waiting for it', async () => {
    const t = await startTestApp({ HELLO_MAX_DELAY_MS: '30000' });
    const inFlight = fetch(`${t.baseUrl}/hello?delay=30s`).then(
      (res) => res.status,
      () => 'dropped' as const,
    );
    // The request is in flight once the registry counts it.
    const adminMetrics = async () => (await fetch(`${t.adminUrl}/metrics`)).text();
    await eventually(
      async () => /^http_server_active_requests 1$/m.test(await adminMetrics()),
      10_000,
    );
    await t.close();
    expect(await inFlight).toBe('dropped');
  });
});
