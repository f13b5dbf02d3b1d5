import { accessLines, startChild, type Child } from '../support/child-process.js';
import { eventually, until } from '../support/wait.js';

/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 15_000;

describe('a request whose client gives up is still logged and counted, as 499', () => {
  let child: Child;

  beforeAll(async () => {
    child = await startChild({ LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    child.process.kill('SIGKILL');
    await child.exited;
  });

  const metrics = async () => (await fetch(`${child.adminUrl}/metrics`)).text();
  const inFlight = async () =>
    Number(/^http_server_active_requests(?:\{[^}]*\})? (\d+)/m.exec(await metrics())?.[1]);

  it('GET /hello?delay=10s abandoned: an access line with status 499 and its request id, and a 499 series', async () => {
    const gone = new AbortController();
    const abandoned = fetch(`${child.baseUrl}/hello?delay=10s`, {
      headers: { 'x-request-id': 'client-gave-up-1' },
      signal: gone.signal,
    }).catch((error: unknown) => error);
    await eventually(async () => (await inFlight()) === 1, EVENTUALLY_MS);
    gone.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });

    const line = () => accessLines(child, 'client-gave-up-1')[0];
    await until(() => line() !== undefined, EVENTUALLY_MS);
    expect(line()).toMatchObject({ route: '/hello', status: 499, method: 'GET' });
    expect(await metrics()).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*http_response_status_code="499"[^}]*\} 1\b/,
    );
    expect(await inFlight()).toBe(0);
  });
});
