/**
 * Expected failures (deadline, pool timeout, open breaker) are warned about once a second per
 * code, not once per request: under an outage every request fails the same way, and a line each
 * doubled the log with nothing new (errors/problem.reply.ts). Real child process, stdout read.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { logLines, startChild, type Child } from '../support/child-process.js';
import { rawRequest } from '../support/raw-http.js';
import { until } from '../support/wait.js';

describe('warnings for expected failures', () => {
  let child: Child;
  beforeAll(async () => {
    child = await startChild({ LOG_LEVEL: 'info', NODE_ENV: 'test' });
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
  });

  const lines = () => logLines(child);
  const warnings = () =>
    lines().filter((line) => line.level === 'warn' && line.code === 'REQUEST_DEADLINE_EXCEEDED');
  /**
   * Until the access lines of `count` answers with `status` are in the child's output. The log
   * is one ordered stream, and a request's warning is written before its access line: every
   * warning those answers wrote is in by then. A fixed 200 ms wait read a busy machine's output
   * before its lines had come through the pipe.
   */
  const answersLogged = (status: number, count: number) =>
    until(
      () =>
        lines().filter((line) => line.msg === 'request' && line.status === status).length >= count,
      10_000,
    );

  /** n requests at once, each past its 50 ms deadline; resolves with their statuses. */
  const late = (n: number) =>
    Promise.all(
      Array.from({ length: n }, async () => {
        const res = await fetch(`${child.baseUrl}/hello?delay=2s`, {
          headers: { 'x-request-timeout': '50' },
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );

  it('one line for a burst of the same failure, and the next line says how many it left out', async () => {
    expect(await late(8)).toEqual(Array(8).fill(504));
    await answersLogged(504, 8);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ suppressed: 0, reqId: expect.any(String) });
    await sleep(1_100); // past the one-second interval
    expect(await late(1)).toEqual([504]);
    await answersLogged(504, 9);
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toMatchObject({ suppressed: 7 });
  });

  // A 5xx by number, the client's fault by nature: an HTTP version rampart does not serve.
  it('a 505 for an HTTP version rampart does not serve writes no warning', async () => {
    const port = Number(new URL(child.baseUrl).port);
    const res = await rawRequest(port, 'GET /hello HTTP/2.0\r\nHost: a\r\n\r\n');
    expect(res.status).toBe(505);
    await answersLogged(505, 1);
    expect(
      lines().filter((line) => line.level === 'warn' && line.code === 'HTTP_VERSION_NOT_SUPPORTED'),
    ).toEqual([]);
  });
});
