import { answer, BackendServer } from '../support/backend-server.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import type { TestApp } from '../support/test-app.js';

/** UPSTREAM_PATH is the request target sent to each backend, after its URL's own path. */
describe('UPSTREAM_PATH on the wire', () => {
  let backend: BackendServer;
  let t: TestApp;

  beforeAll(async () => {
    backend = await new BackendServer(answer(200, { ok: true })).start();
    t = await startTestAppWithDatabase({
      BACKEND_URLS: `${backend.url}/gw`,
      UPSTREAM_PATH: '/api/fanout?depth=2',
      UPSTREAM_RETRY_MAX: '0',
    });
  });
  afterAll(async () => {
    await t?.close();
    await backend?.close();
  });

  it('a query in it reaches the backend as written, after the backend URL path', async () => {
    const res = await fetch(`${t.baseUrl}/api/fanout`);
    expect(res.status).toBe(200);
    expect(backend.received.map((r) => r.url)).toEqual(['/gw/api/fanout?depth=2']);
  });
});
