import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusesOf } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * HTTP/1.1 pipelining (RFC 9112 §9.3.2): a client may send requests without waiting for each
 * answer, and the answers go back in order. Node parses every request of a packet at once and
 * hands each to the listener; the answers behind an unfinished one were kept in memory until it
 * was written. One connection sending 2,000 `GET /metrics` (no token needed) ran them all at
 * once, held ~500 MB of answers and stalled the public port for 11 s. A pipelined request now
 * starts once the answer ahead of it has been written to the socket: one at a time per
 * connection, and none while the client reads nothing.
 */
describe('pipelined requests', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const open = (port: number): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  const readiness = async () => (await fetch(`${t.probeUrl}/readyz`)).status;
  const counter = async (name: string) =>
    ((await (await fetch(`${t.baseUrl}/api/counters/${name}`)).json()) as { value: number }).value;

  afterEach(async () => {
    await fetch(`${t.adminUrl}/readyz/enable`, { method: 'POST' });
  });

  it('public port: a request behind a slow answer starts once that answer is written', async () => {
    const name = `pipelined-${Date.now()}`;
    const socket = await open(t.ports.public);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.write(
      'GET /delay/1s HTTP/1.1\r\nHost: a\r\n\r\n' +
        `POST /api/counters/${name}/increment HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
    );
    await sleep(400);
    const whileFirstRuns = await counter(name);
    await new Promise((resolve) => socket.once('close', resolve));
    expect({ whileFirstRuns, statuses: statusesOf(text), after: await counter(name) }).toEqual({
      whileFirstRuns: 0,
      statuses: [200, 200],
      after: 1,
    });
  });

  // Its client sent the body without waiting for the 100 (RFC 9110 §10.1.1 lets it): all of it
  // had arrived when its turn came, so its body was read without a `_read` asking for it, the
  // answer went out without a 100, and Node closed the connection: `GET /hello` was lost.
  it('public port: a request with Expect: 100-continue behind another is answered, and the connection kept', async () => {
    const socket = await open(t.ports.public);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    const body = JSON.stringify({ name: 'pipelined-expect' });
    socket.write(
      'GET /delay/300ms HTTP/1.1\r\nHost: a\r\n\r\n' +
        'POST /api/items HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\n' +
        `content-length: ${body.length}\r\nExpect: 100-continue\r\n\r\n${body}` +
        'GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    await new Promise((resolve) => socket.once('close', resolve));
    expect(statusesOf(text)).toEqual([200, 100, 201, 200]);
  });

  it('admin port: no request behind answers the client does not read is begun', async () => {
    // ~200 × 100 KB of metrics: more than the loopback socket buffers hold.
    const socket = await open(t.ports.admin);
    socket.pause();
    socket.write(
      'GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(200) +
        'POST /readyz/disable HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    await sleep(1_500);
    const unread = await readiness();
    let answers = 0;
    socket.on('data', (chunk: Buffer) => (answers += statusesOf(chunk.toString('latin1')).length));
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    expect({ unread, answers: answers >= 200, after: await readiness() }).toEqual({
      unread: 200,
      answers: true,
      after: 503,
    });
  });
});
