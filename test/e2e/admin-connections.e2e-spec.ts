/**
 * The admin port holds at most ADMIN_MAX_CONNECTIONS connections (admin/admin.connections.ts).
 * Past it a new connection takes the place of the oldest one not answering a request, so sockets
 * that send nothing can neither take every file descriptor nor shut Prometheus and the operator
 * out; a connection answering a request is never the one closed. The headers timeout is set far
 * out of reach here: every close these tests see is the cap's.
 */
import { connect, type Socket } from 'node:net';
import { AdminServer } from '../../src/admin/admin.server.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CAP = 8;

interface Held {
  socket: Socket;
  closed: Promise<void>;
  /** Everything the server sent on it so far. */
  received: () => string;
}

/** A connection, once connected; reads whatever the server sends. */
async function open(port: number): Promise<Held> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve).once('close', resolve));
  return { socket, closed, received: () => text };
}

/** Whether `held` is closed within `ms`: a guard against waiting for good, not a measure. */
async function closedWithin(held: Held, ms: number): Promise<'closed' | 'still open'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still open'>((r) => (timer = setTimeout(() => r('still open'), ms)));
  try {
    return await Promise.race([held.closed.then(() => 'closed' as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A PUT /chaos whose head the server has read (it said 100 Continue) and whose body it awaits. */
async function answering(port: number): Promise<Held> {
  const held = await open(port);
  held.socket.write(
    'PUT /chaos HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
      'Content-Length: 2\r\nExpect: 100-continue\r\n\r\n',
  );
  while (!held.received().includes('100 Continue')) {
    await new Promise((resolve) => held.socket.once('data', resolve));
  }
  return held;
}

/** Sends the awaited body and resolves with the status line of the answer. */
async function finish(held: Held): Promise<string> {
  held.socket.end('{}');
  await held.closed;
  const final = held.received().split('\r\n\r\n')[1] ?? '';
  return final.split('\r\n')[0]!;
}

describe('admin port: connections past ADMIN_MAX_CONNECTIONS', () => {
  let app: TestApp;
  const all: Held[] = [];

  beforeAll(async () => {
    app = await startTestApp({
      ADMIN_MAX_CONNECTIONS: String(CAP),
      HTTP_HEADERS_TIMEOUT_MS: '600000',
    });
  });
  afterEach(async () => {
    for (const held of all.splice(0)) held.socket.destroy();
    // The server has seen every close before the next test counts.
    const server = app.app.get(AdminServer).routes.server;
    const held = () => new Promise<number>((r) => server.getConnections((_, n) => r(n)));
    while ((await held()) > 0) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('silent ones are held no more than the cap, the oldest closed first; /metrics still answers', async () => {
    for (let i = 0; i < CAP * 5; i++) all.push(await open(app.ports.admin));
    const oldest = all.slice(0, CAP * 4);
    const outcomes = await Promise.all(oldest.map((held) => closedWithin(held, 5_000)));
    expect(outcomes.filter((o) => o === 'still open')).toHaveLength(0);
    expect(all.slice(CAP * 4).filter((held) => held.socket.destroyed)).toHaveLength(0);
    const metrics = await rawRequest(
      app.ports.admin,
      'GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    expect(metrics.status).toBe(200);
    // Every one past the cap was closed, and counted: 4 x CAP silent ones gave way, and one
    // more to the scrape's own connection.
    expect(sampleValue(parsePrometheusText(metrics.body), 'admin_connections_closed_total')).toBe(
      CAP * 4 + 1,
    );
  });

  it('one answering a request is never the one closed: the oldest silent one is', async () => {
    const busy = await answering(app.ports.admin);
    const silent: Held[] = [];
    for (let i = 0; i < CAP; i++) silent.push(await open(app.ports.admin));
    all.push(busy, ...silent);
    expect(await closedWithin(silent[0]!, 5_000)).toBe('closed');
    expect(busy.socket.destroyed).toBe(false);
    expect(await finish(busy)).toBe('HTTP/1.1 200 OK');
  });

  it('with every held one answering a request, the newcomer is closed and they are all answered', async () => {
    const busy: Held[] = [];
    for (let i = 0; i < CAP; i++) busy.push(await answering(app.ports.admin));
    const late = await open(app.ports.admin);
    all.push(...busy, late);
    expect(await closedWithin(late, 5_000)).toBe('closed');
    expect(busy.filter((held) => held.socket.destroyed)).toHaveLength(0);
    expect(await Promise.all(busy.map(finish))).toEqual(busy.map(() => 'HTTP/1.1 200 OK'));
  });

  it('a kept-alive connection idle between requests gives way too', async () => {
    const idle = await open(app.ports.admin);
    idle.socket.write('GET /chaos HTTP/1.1\r\nHost: a\r\n\r\n');
    while (!idle.received().includes('\r\n\r\n{')) {
      await new Promise((resolve) => idle.socket.once('data', resolve));
    }
    const later: Held[] = [];
    for (let i = 0; i < CAP; i++) later.push(await open(app.ports.admin));
    all.push(idle, ...later);
    expect(await closedWithin(idle, 5_000)).toBe('closed');
    expect(later.filter((held) => held.socket.destroyed)).toHaveLength(0);
  });
});
