import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { ListenerHold } from './listener.hold.js';

/** Opens a connection and resolves once the server has counted it (its 'connection' event). */
async function open(server: Server, port: number): Promise<Socket> {
  const counted = once(server, 'connection');
  const socket = connect({ host: '127.0.0.1', port });
  await Promise.all([once(socket, 'connect'), counted]);
  return socket;
}

/** Resolves with the connect's outcome: 'connected' or the error code. */
async function tryConnect(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    return 'connected';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  } finally {
    socket.destroy();
  }
}

describe('ListenerHold (a real listening socket)', () => {
  let server: Server;
  let port: number;
  let sockets: Socket[];
  const limit = 1;
  let hold: ListenerHold;

  beforeEach(async () => {
    sockets = [];
    server = createServer();
    hold = new ListenerHold(511, {
      limit: () => limit,
      inFlight: () => 0,
      engaged: () => undefined,
    });
    hold.count(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
    hold.start(server);
  });

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    hold.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts the connections the listener has open', async () => {
    sockets.push(await open(server, port), await open(server, port));
    expect(hold.connections).toBe(2);
    const closed = once(sockets[0]!, 'close');
    sockets[0]!.destroy();
    await closed;
    // The server's side of the socket closes on the client's FIN, a moment later.
    while (hold.connections > 1) await new Promise((resolve) => setImmediate(resolve));
    expect(hold.connections).toBe(1);
  });

  it('under sustained saturated overload stops listening past the target, and listens again when stopped', async () => {
    // The target is the limit plus at least four connections of headroom (listener.pause.ts).
    for (let i = 0; i < limit + 4; i++) sockets.push(await open(server, port));
    hold.judge(1, true, true);
    expect(hold.engaged).toBe(true);
    expect(server.listening).toBe(false);
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    const listening = once(server, 'listening');
    hold.stop();
    await listening;
    expect(hold.engaged).toBe(false);
    expect(server.listening).toBe(true);
    expect(await tryConnect(port)).toBe('connected');
  });

  it('listens again, while engaged, once connections fall below the target', async () => {
    for (let i = 0; i < limit + 6; i++) sockets.push(await open(server, port));
    hold.judge(1, true, true);
    expect(server.listening).toBe(false);
    const errors: Error[] = [];
    server.on('error', (error: Error) => errors.push(error));
    const listening = once(server, 'listening');
    // Five close at once (7 to 2, the target 5): each close below the target applies the hold
    // while the socket binds again.
    for (const socket of sockets.splice(0, 5)) socket.destroy();
    await listening;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors).toEqual([]);
    expect(hold.engaged).toBe(true);
    expect(server.listening).toBe(true);
    expect(await tryConnect(port)).toBe('connected');
  });

  it('keeps listening on a saturated window without a standing queue, or a standing queue on an idle thread', async () => {
    for (let i = 0; i < limit + 4; i++) sockets.push(await open(server, port));
    hold.judge(1, true, false);
    hold.judge(0.5, false, true);
    expect(hold.engaged).toBe(false);
    expect(server.listening).toBe(true);
  });
});
