import pg from 'pg';
import { dropConnection, type BackendClient } from './pg.session.js';

/** A pool.connect() call, and the connection the pool opens for it when it had none idle. */
export interface PoolConnect {
  connecting: Promise<BackendClient>;
  /** The connection being opened for this call; absent when an idle one was taken. */
  opening?: BackendClient;
}

/**
 * The connections a pool is still opening: for the pool's end (PgDriver.close), and for a caller
 * that leaves its connect (pg.connect.ts). `pool.end()` waits for every connection it has, and
 * one still opening counts: a connect its caller left to a server that takes the TCP connection
 * and then says nothing (frozen, partitioned) held the end, and the shutdown, for up to
 * DB_CONNECT_TIMEOUT_MS, which may be minutes. After the drain nobody waits for a new
 * connection, so the end destroys them instead (`destroyAll`).
 */
export class OpeningConnections {
  private readonly opening = new Set<pg.Client>();
  /** The client the pool constructed during the current `connect` call, if any. */
  private constructed?: pg.Client;
  /** For the pool's `Client` option: a client that is listed here until it opens or ends. */
  readonly Client: typeof pg.Client;

  constructor() {
    const opening = this.opening;
    const onConstructed = (client: pg.Client): void => {
      this.constructed = client;
    };
    this.Client = class OpeningTrackedClient extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        opening.add(this);
        onConstructed(this);
        const done = (): boolean => opening.delete(this);
        this.once('connect', done);
        this.once('end', done);
      }
    };
  }

  /**
   * `pool.connect()`, naming the connection it opens for this call. pg-pool constructs that
   * client synchronously inside connect() and gives it to this call alone (pg-pool's newClient
   * takes the call's pending item), so what was constructed meanwhile is this call's.
   */
  connect(pool: pg.Pool): PoolConnect {
    this.constructed = undefined;
    const connecting = pool.connect() as Promise<BackendClient>;
    const opening = this.constructed as BackendClient | undefined;
    this.constructed = undefined;
    return { connecting, opening };
  }

  /** Whether `client` is still opening (not connected, not ended). */
  has(client: pg.Client): boolean {
    return this.opening.has(client);
  }

  /** Destroys every connection still opening: each connect fails at once, as at its timeout. */
  destroyAll(): void {
    for (const client of this.opening) dropConnection(client as BackendClient);
  }
}
