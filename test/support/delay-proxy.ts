import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { listenLocal } from './listen-local.js';

export interface DelayProxy {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  /** Connections accepted so far (a client that reconnects shows as one more). */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 that holds every chunk `delayMs` in each direction before passing it
 * on, in order: a slow network path (or a slow server) in front of a real one, the way a WAN
 * link or an overloaded node looks to a client. Nothing is dropped or reordered.
 */
export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // A reset on one side ends the other; the error itself is the test's to observe, not ours.
      socket.on('error', () => undefined);
    }
    delayed(client, upstream, delayMs);
    delayed(upstream, client, delayMs);
  });
  const { port } = await listenLocal(server);
  return {
    port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Pipes `from` into `to`, each chunk `delayMs` later; the end (or a close) follows the data. */
function delayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
}
