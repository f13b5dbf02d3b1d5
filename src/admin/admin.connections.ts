import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Holds the admin listener to `max` connections (ADMIN_MAX_CONNECTIONS). Past it, a new
 * connection closes the oldest one not answering a request, one that sent nothing yet or sits
 * idle between requests, and takes its place; only when every held connection is answering one
 * is the new connection itself closed. Without a cap 5,000 silent sockets were all held (each a
 * file descriptor, the public port's too). `server.maxConnections`, the public port's cap,
 * refuses the newcomer instead: there, `max` sockets that send nothing shut Prometheus and the
 * operator out until the headers timeout closed them, and a client could open them again as
 * fast as they closed.
 */
export function capConnections(server: Server, max: number): CapCounts {
  const counts = { closed: 0 };
  // Insertion order is age: the first idle one met is the oldest.
  const open = new Set<Socket>();
  const answering = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      answering.delete(socket);
    });
    if (open.size <= max) return;
    counts.closed++;
    (oldestIdle(open, answering) ?? socket).destroy();
  });
  // Every request, pipelined ones too, from its head until its answer ends or its socket closes.
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    answering.set(socket, (answering.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (answering.get(socket) ?? 1) - 1;
      if (left > 0) answering.set(socket, left);
      else answering.delete(socket);
    });
  });
  return counts;
}

/** What the cap did, read by the admin_connections_closed_total counter (metrics/metrics.admin.ts). */
export interface CapCounts {
  /** Connections closed because the port held `max`: an idle one given way, or the newcomer. */
  readonly closed: number;
}

function oldestIdle(open: Set<Socket>, answering: Map<Socket, number>): Socket | undefined {
  for (const socket of open) if (!answering.has(socket)) return socket;
  return undefined;
}
