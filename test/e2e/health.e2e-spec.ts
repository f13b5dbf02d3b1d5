import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('probes and the admin listener', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(['/healthz', '/readyz', '/startupz'])('%s answers 200 once started', async (path) => {
    const res = await fetch(`${t.baseUrl}${path}`);
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('ok');
  });

  it('an operator can take the pod out of rotation on the admin port, and back', async () => {
    expect((await fetch(`${t.adminUrl}/readyz/disable`, { method: 'POST' })).status).toBe(200);
    const down = await fetch(`${t.baseUrl}/readyz`);
    expect(down.status).toBe(503);
    const body = await json(down);
    expect(body.code).toBe('NOT_READY');
    expect(body.checks.lifecycle.reason).toBe('disabled by operator');
    // Liveness must not follow readiness: a restart would not help.
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/readyz/enable`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
  });

  it('operator endpoints do not exist on the public port', async () => {
    const res = await fetch(`${t.baseUrl}/readyz/disable`, { method: 'POST' });
    expect(res.status).toBe(404);
  });
});
