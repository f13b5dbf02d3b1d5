import { ProblemCounts } from '../../src/errors/problem.counts.js';
import { HelloService } from '../../src/hello/hello.service.js';
import { InFlightRegistry } from '../../src/request-context/in-flight.registry.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/wait.js';

/** What one app's /metrics says about its own public listener. */
async function counts(t: TestApp): Promise<{ hello: number; active: number }> {
  const families = parsePrometheusText(await (await fetch(`${t.adminUrl}/metrics`)).text());
  const hello = sampleValue(families, 'http_server_request_duration_seconds_count', {
    http_route: '/hello',
    http_request_method: 'GET',
    http_response_status_code: '200',
  });
  return { hello: hello ?? 0, active: sampleValue(families, 'http_server_active_requests') ?? -1 };
}

describe('two apps started in one process share nothing by accident', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('each counts its own requests in its request-duration histogram', async () => {
    for (let i = 0; i < 3; i++) await (await fetch(`${a.baseUrl}/hello`)).text();
    await (await fetch(`${b.baseUrl}/hello`)).text();
    expect((await counts(a)).hello).toBe(3);
    expect((await counts(b)).hello).toBe(1);
  });

  it('each has its own in-flight registry: a request waiting on A is not in flight on B', async () => {
    expect(a.app.get(InFlightRegistry)).not.toBe(b.app.get(InFlightRegistry));
    // Waiting until the test lets it go: a 2 s wait of its own could end before a busy process
    // had scraped both apps, and A's gauge read 0.
    const leaving = new AbortController();
    const slow = fetch(`${a.baseUrl}/hello?delay=30s`, { signal: leaving.signal }).catch(
      () => 'left',
    );
    await until(() => a.app.get(HelloService).waiting === 1, 10_000);
    expect(a.app.get(InFlightRegistry).size).toBe(1);
    expect(b.app.get(InFlightRegistry).size).toBe(0);
    expect((await counts(a)).active).toBe(1);
    expect((await counts(b)).active).toBe(0);
    leaving.abort();
    expect(await slow).toBe('left');
    await until(() => a.app.get(InFlightRegistry).size === 0, 10_000);
  });

  it('chaos switched on for A leaves B alone', async () => {
    const put = await fetch(`${a.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, errorStatus: 502 }),
    });
    expect(put.status).toBe(200);
    try {
      expect((await fetch(`${a.baseUrl}/hello`)).status).toBe(502);
      expect((await fetch(`${b.baseUrl}/hello`)).status).toBe(200);
    } finally {
      await fetch(`${a.adminUrl}/chaos`, { method: 'DELETE' });
    }
  });

  it('each counts its own problem answers by code, on both listeners (the status page reads them)', async () => {
    expect(a.app.get(ProblemCounts)).not.toBe(b.app.get(ProblemCounts));
    const before = (t: TestApp) => t.app.get(ProblemCounts).snapshot().get('NOT_FOUND') ?? 0;
    const [a0, b0] = [before(a), before(b)];
    expect((await fetch(`${a.baseUrl}/no-such-route`)).status).toBe(404);
    expect((await fetch(`${a.adminUrl}/no-such-route`)).status).toBe(404);
    expect(before(a) - a0).toBe(2);
    expect(before(b) - b0).toBe(0);
  });
});
