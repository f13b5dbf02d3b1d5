/**
 * Every problem answer is in Prometheus by its code, also the ones written before any request
 * hook (Node's parser's 431, CONNECT's 405), which the request histogram never sees: a client
 * could send them by the thousand with nothing to alert on.
 */
import { AdminClient } from '../support/admin-client.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('http_server_problems_total (real listeners, raw sockets)', () => {
  let t: TestApp;
  let admin: AdminClient;
  const problems = async (code: string) =>
    (await admin.metric('http_server_problems_total', { code })) ?? 0;

  beforeAll(async () => {
    t = await startTestApp();
    admin = new AdminClient(() => t.adminUrl);
  });
  afterAll(() => t.close());

  it('counts answers written before any hook: headers too large (431) and CONNECT (405)', async () => {
    const before = {
      large: await problems('REQUEST_HEADER_FIELDS_TOO_LARGE'),
      connect: await problems('METHOD_NOT_ALLOWED'),
      histogram: await admin.metric('http_server_request_duration_seconds_count', {
        http_response_status_code: '431',
      }),
    };
    const huge = `GET /hello HTTP/1.1\r\nHost: a\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`;
    for (let i = 0; i < 3; i++) expect((await rawRequest(t.ports.public, huge)).status).toBe(431);
    const connect = 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n';
    for (let i = 0; i < 2; i++)
      expect((await rawRequest(t.ports.public, connect)).status).toBe(405);

    expect(await problems('REQUEST_HEADER_FIELDS_TOO_LARGE')).toBe(before.large + 3);
    expect(await problems('METHOD_NOT_ALLOWED')).toBe(before.connect + 2);
    // The histogram, fed by the hooks, has none of them: this counter is where they show.
    expect(
      await admin.metric('http_server_request_duration_seconds_count', {
        http_response_status_code: '431',
      }),
    ).toBe(before.histogram);
  });

  it('counts answers made inside the hooks too, by their catalog code', async () => {
    const before = await problems('NOT_FOUND');
    const res = await fetch(`${t.baseUrl}/no-such-route`);
    expect(res.status).toBe(404);
    await res.text();
    expect(await problems('NOT_FOUND')).toBe(before + 1);
  });
});
