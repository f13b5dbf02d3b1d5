import { connect, createServer, type Server, type Socket } from 'node:net';
import { PG_ADMIN_URL } from './database.js';
import { listenLocal } from './listen-local.js';

/** The code a CancelRequest carries where a startup message has its protocol version. */
const CANCEL_REQUEST_CODE = 80877102;

/** A statement a client sent through the proxy: which connection (1, 2, …) and its SQL. */
export interface SentStatement {
  connection: number;
  sql: string;
}

/**
 * A TCP proxy to PostgreSQL that reads what clients send. It records each statement, the SQL
 * of a simple Query ('Q') or of an extended Parse ('P'), with its connection; and it keeps every
 * CancelRequest (a connection of its own, 16 bytes) until the test lets it go, then passes it
 * on: a cancel that arrives late (a slow path, a balancer in the way), after the statement it
 * was sent for has ended. The server's side passes untouched.
 */
export class CancelHoldingProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly held: Buffer[] = [];
  private connections = 0;
  readonly statements: SentStatement[] = [];
  port = 0;

  constructor(private readonly target = { host: '127.0.0.1', port: 5432 }) {}

  /** CancelRequests kept so far (let go or not). */
  cancels = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    ({ port: this.port } = await listenLocal(this.server));
  }

  /** Passes every CancelRequest kept so far on to the server, each on a connection of its own. */
  releaseCancels(): void {
    for (const packet of this.held.splice(0)) {
      const upstream = connect(this.target.port, this.target.host, () => upstream.end(packet));
      this.track(upstream);
    }
  }

  /** A connection URL for `database` through this proxy. */
  urlFor(database: string): string {
    const url = new URL(PG_ADMIN_URL);
    url.host = `127.0.0.1:${this.port}`;
    url.pathname = `/${database}`;
    return url.toString();
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(client: Socket): void {
    this.track(client);
    let head = Buffer.alloc(0);
    const first = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 8) return;
      const cancel = head.readInt32BE(4) === CANCEL_REQUEST_CODE;
      if (cancel && head.length < 16) return;
      client.off('data', first);
      if (cancel) {
        this.cancels++;
        this.held.push(head.subarray(0, 16));
        client.end();
        return;
      }
      this.forward(client, head);
    };
    client.on('data', first);
  }

  /** A session: passed both ways, its messages read for statements after the startup one. */
  private forward(client: Socket, head: Buffer): void {
    const connection = ++this.connections;
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    // The startup message has no type byte: its length alone says where typed messages begin.
    let skip = head.readInt32BE(0);
    let pending = Buffer.alloc(0);
    const read = (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      const skipped = Math.min(skip, pending.length);
      pending = pending.subarray(skipped);
      skip -= skipped;
      while (pending.length >= 5) {
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) break;
        this.record(connection, pending[0]!, pending.subarray(5, 1 + length));
        pending = pending.subarray(1 + length);
      }
    };
    read(head);
    client.on('data', read);
  }

  private record(connection: number, type: number, body: Buffer): void {
    const text = (from: number) => body.toString('utf8', from, body.indexOf(0, from));
    if (type === 0x51) this.statements.push({ connection, sql: text(0) });
    // Parse: the statement's name, then its SQL.
    if (type === 0x50) this.statements.push({ connection, sql: text(body.indexOf(0) + 1) });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }
}
