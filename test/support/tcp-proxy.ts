import { createServer, connect, type Server, type Socket } from 'node:net';

/** A connection passing through the proxy, and what its client sent since the server last spoke. */
interface Link {
  client: Socket;
  upstream: Socket;
  unanswered: Buffer[];
}

/**
 * A TCP proxy that a test can cut, in front of any server: it reads no protocol. cut() closes the
 * listener and destroys every proxied socket (the app sees refused connections and dead sessions,
 * as when the server goes down); restore() listens on the same port again. stall('accept') and
 * freezeOpen() make a server that stops answering without closing anything, as a hung server or
 * a path that lost the flow (a NAT or load balancer that forgot it) looks to a client: nothing
 * comes back on those connections, ever, even once new ones pass again. Cheaper than a throwaway
 * server, and it never touches the machine's PostgreSQL or Redis, which other suites use.
 * database.ts's PostgresProxy is this in front of PostgreSQL, with what only that protocol has.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<Link>();
  private stallingAccept = false;
  private readonly awaited = new Set<{ text: string; found: () => void }>();
  port = 0;
  /** Connections stalled so far: taken (`accept`), or as a subclass stalls them. */
  stalled = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      this.track(client);
      if (this.stallingAccept) {
        this.stalled++;
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      this.track(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      if (this.stallsOpened(client, upstream)) return;
      const link: Link = { client, upstream, unanswered: [] };
      this.links.add(link);
      client.on('close', () => this.links.delete(link));
      client.on('data', (chunk: Buffer) => {
        link.unanswered.push(chunk);
        this.findAwaited();
      });
      upstream.on('data', () => (link.unanswered.length = 0));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  restore(): Promise<void> {
    return this.start();
  }

  /**
   * With `accept`, a new connection is taken and given nothing (the TCP connect succeeds, the
   * server never speaks); `false` lets them pass again. Open ones are kept.
   */
  stall(mode: 'accept' | false): void {
    this.stallingAccept = mode === 'accept';
  }

  /** Every connection passing now stops passing anything, either way; its sockets stay open. */
  freezeOpen(): void {
    for (const { client, upstream } of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
    this.links.clear();
  }

  /**
   * What the server sends on every connection passing now is kept here, not passed on, until
   * `release()`: the server has answered, the client has not heard yet (a slow path back, or a
   * client slow to read). What the client sends still passes. `held()` is the bytes kept so far.
   */
  holdAnswers(): { held(): number; release(): void } {
    const holds = [...this.links].map(({ client, upstream }) => {
      const chunks: Buffer[] = [];
      const keep = (chunk: Buffer) => chunks.push(chunk);
      upstream.unpipe(client);
      upstream.on('data', keep);
      upstream.resume();
      return {
        held: () => chunks.reduce((sum, chunk) => sum + chunk.length, 0),
        release: () => {
          upstream.off('data', keep);
          for (const chunk of chunks.splice(0)) client.write(chunk);
          upstream.pipe(client);
        },
      };
    });
    return {
      held: () => holds.reduce((sum, hold) => sum + hold.held(), 0),
      release: () => holds.forEach((hold) => hold.release()),
    };
  }

  /**
   * Resolves once bytes holding `text` (a PostgreSQL statement's SQL, as the extended protocol's
   * Parse message carries it) have passed to the server on a connection, and nothing has come
   * back on that connection since: now, or when they pass later. On a frozen server, that
   * request is in flight for good.
   */
  unanswered(text: string): Promise<void> {
    return new Promise((resolve) => {
      this.awaited.add({ text, found: resolve });
      // After a turn of I/O: an answer the server wrote before it froze has reached us by then.
      setImmediate(() => this.findAwaited());
    });
  }

  /**
   * Whether a connection just opened to the server stalls instead of passing, handled by the
   * subclass that says so (PostgresProxy's stall after the session's startup). None does here.
   */
  protected stallsOpened(_client: Socket, _upstream: Socket): boolean {
    return false;
  }

  private findAwaited(): void {
    for (const awaited of this.awaited) {
      const sent = [...this.links].some((link) =>
        link.unanswered.some((chunk) => chunk.includes(awaited.text)),
      );
      if (!sent) continue;
      this.awaited.delete(awaited);
      awaited.found();
    }
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }
}
