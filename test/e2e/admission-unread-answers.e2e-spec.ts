import { connect, type Socket } from 'node:net';
import { InFlightRegistry } from '../../src/request-context/in-flight.registry.js';
import { AdminClient } from '../support/admin-client.js';
import { pinnedAdmission, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

// A client that pipelines requests for a large answer and never reads: the first answer fills the
// socket's buffers and stays there, and the requests behind it are not begun
// (protocol/pipelined-requests.listener.ts). Its request's admission slot is freed once its
// answer is made (http/http.hooks.ts, onSend), not when the client has read it, so other clients
// are still admitted; at the deadline the connection is closed (http/request-state.hook.ts).
describe('admission: a client that stops reading its answers holds no slot', () => {
  const LIMIT = 20;
  // More connections than slots: each holds one unread answer.
  const CONNECTIONS = LIMIT + 2;
  const PIPELINED = 10;
  let t: TestApp;
  let admin: AdminClient;
  const attackers: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      ...pinnedAdmission(LIMIT),
      ADMISSION_QUEUE_MAX: '0',
      REQUEST_TIMEOUT_MS: '3000',
    });
    admin = new AdminClient(() => t.adminUrl);
  });
  afterAll(async () => {
    for (const socket of attackers) socket.destroy();
    await t?.close();
  });

  /** Opens a connection that sends `count` pipelined requests for `path` and reads nothing. */
  async function unreadPipeline(path: string, count: number): Promise<Socket> {
    const { port } = new URL(t.baseUrl);
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.on('error', () => undefined);
    socket.pause();
    attackers.push(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`.repeat(count));
    return socket;
  }

  const inFlight = () => t.app.get(InFlightRegistry).size;
  const refused = async () =>
    (await admin.metric('http_server_admission_rejections_total', {
      reason: 'concurrency_limit',
    })) ?? 0;

  it('with more unread answers than slots, another client is still admitted; the connections are closed at the deadline', async () => {
    // Connections each asking for ten 1.7 MB answers it will never read: more than the kernel's
    // socket buffers take, so each connection's first answer waits in the server, and the nine
    // requests behind it are never begun.
    for (let i = 1; i <= CONNECTIONS; i++) {
      const before = inFlight();
      await unreadPipeline('/docs/swagger-ui-bundle.js', PIPELINED);
      await eventually(async () => inFlight() >= before + 1, 10_000);
    }
    expect(inFlight()).toBeLessThanOrEqual(CONNECTIONS);
    // More answers made and unread than the limit has slots: none holds one.
    await eventually(async () => inFlight() > LIMIT, 10_000);
    expect(await admin.metric('http_server_admission_in_flight')).toBe(0);
    const refusedBefore = await refused();
    const other = await fetch(`${t.baseUrl}/hello`);
    expect(other.status).toBe(200);
    expect(await refused()).toBe(refusedBefore);

    // At the deadline each connection is closed, and its requests leave.
    await eventually(
      async () =>
        ((await admin.metric('http_client_timeouts_total', { phase: 'send' })) ?? 0) ===
        CONNECTIONS,
      15_000,
    );
    await eventually(async () => inFlight() === 0, 10_000);
  });
});
