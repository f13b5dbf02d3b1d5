import { createServer, type Server, type Socket } from 'node:net';
import { listenLocal } from './listen-local.js';

/** What the backend does with a connection once the request's first bytes came. */
export type RawBehaviour = (socket: Socket) => void;

/**
 * A TCP server standing in for a backend that speaks broken HTTP, with no HTTP server in between
 * to tidy its bytes up. It counts on its own side what the client under test did: connections
 * made (one per attempt: a broken answer never leaves a socket to reuse) and sockets still open
 * (a client that reads no more of an answer must close its socket, or it leaks one per call).
 */
export class RawBackend {
  /** Connections accepted so far. */
  connections = 0;
  /** Sockets not yet closed. */
  open = 0;
  url = '';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(public behaviour: RawBehaviour = (socket) => socket.end()) {
    this.server = createServer((socket) => {
      this.connections++;
      this.open++;
      this.sockets.add(socket);
      socket.on('close', () => {
        this.open--;
        this.sockets.delete(socket);
      });
      socket.on('error', () => undefined);
      socket.once('data', () => this.behaviour(socket));
    });
  }

  async start(): Promise<this> {
    this.url = (await listenLocal(this.server)).url;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Writes `text` one byte every `everyMs`, until the text ends or the client closes. */
export function trickle(text: string, everyMs: number): RawBehaviour {
  return function trickling(socket) {
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || sent >= text.length) return clearInterval(timer);
      socket.write(text.charAt(sent++));
    }, everyMs);
    socket.once('close', () => clearInterval(timer));
  };
}

/**
 * Answers 200 with a body of `totalBytes` (no Content-Length: it ends when the socket does),
 * written as fast as the client reads it; `written` says how much the client had taken when it
 * stopped reading.
 */
export function endlessBody(totalBytes: number): RawBehaviour & { written: number } {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const behaviour = Object.assign(
    function flooding(socket: Socket) {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n');
      const pump = () => {
        while (!socket.destroyed && behaviour.written < totalBytes) {
          behaviour.written += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        if (!socket.destroyed) socket.end();
      };
      pump();
    },
    { written: 0 },
  );
  return behaviour;
}
