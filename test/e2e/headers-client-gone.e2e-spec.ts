/**
 * `GET /headers` for a client that reset its connection while the loop was busy: the handler
 * still runs, and the socket no longer knows its peer (getpeername fails after the RST), so the
 * answer has no client address. It answered 500 INTERNAL_ERROR with an error line and stack
 * (the response schema required `clientIp`); it is a 499 like any request whose client left.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { json } from '../support/http.js';
import { eventually } from '../support/wait.js';

const execFileAsync = promisify(execFile);

/** Three times: sends GET /headers, resets the connection 20 ms later, waits 300 ms. */
const RESETTING_CLIENT = `
const net = require('node:net');
const port = Number(process.argv[1]);
(async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('GET /headers HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n');
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => setTimeout(resolve, 300));
    });
  }
})();
`;

describe('GET /headers after its client reset the connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await fetch(`${t.adminUrl}/chaos/process`, { method: 'DELETE' });
    await t.close();
  });

  const errors = async (): Promise<Array<{ code: string; total: number }>> =>
    (await json(await fetch(`${t.adminUrl}/status.json`))).errors;

  /** The status of each `/headers` request in the request histogram, one entry per request. */
  const headersAnswers = async (): Promise<string[]> => {
    const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
    const lines = text
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('http_server_request_duration_seconds_count{') &&
          line.includes('http_route="/headers"'),
      );
    return lines.flatMap((line) => {
      const status = /http_response_status_code="(\d+)"/.exec(line)![1]!;
      return Array<string>(Number(line.split(' ').at(-1))).fill(status);
    });
  };

  it('is no INTERNAL_ERROR, and /headers still names the client of a request that stayed', async () => {
    // Every public request holds the loop for 100 ms, so the reset lands before the handler.
    const put = await fetch(`${t.adminUrl}/chaos/process/event-loop`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blockMs: 100, mode: 'every-request' }),
    });
    expect(put.status).toBe(202);
    // The client runs in a process of its own: this one's loop is the server's, held by the block.
    const port = Number(new URL(t.baseUrl).port);
    await execFileAsync(process.execPath, ['-e', RESETTING_CLIENT, String(port)]);
    // All three were handled and recorded (as 499s), none as a 500, on the histogram and the
    // status page's problems by code.
    await eventually(async () => (await headersAnswers()).length === 3, 10_000);
    expect(await headersAnswers()).toEqual(['499', '499', '499']);
    expect((await errors()).map((e) => e.code)).not.toContain('INTERNAL_ERROR');
    await fetch(`${t.adminUrl}/chaos/process`, { method: 'DELETE' });
    const stayed = await json(await fetch(`${t.baseUrl}/headers`));
    expect(stayed.clientIp).toBe('127.0.0.1');
  });
});
