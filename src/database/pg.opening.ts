import pg from 'pg';
import { dropConnection, type BackendClient } from './pg.session.js';

/**
 * The connections a pool is still opening, for its end (PgDriver.close). `pool.end()` waits for
 * every connection it has, and one still opening counts: a connect its caller left (pg.connect.ts)
 * to a server that takes the TCP connection and then says nothing (frozen, partitioned) held the
 * end, and the shutdown, for up to DB_CONNECT_TIMEOUT_MS, which may be minutes. After the drain
 * nobody waits for a new connection, so the end destroys them instead (`destroyAll`).
 */
export class OpeningConnections {
  private readonly opening = new Set<pg.Client>();
  /** For the pool's `Client` option: a client that is listed here until it opens or ends. */
  readonly Client: typeof pg.Client;

  constructor() {
    const opening = this.opening;
    this.Client = class OpeningTrackedClient extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        opening.add(this);
        const done = (): boolean => opening.delete(this);
        this.once('connect', done);
        this.once('end', done);
      }
    };
  }

  /** Destroys every connection still opening: each connect fails at once, as at its timeout. */
  destroyAll(): void {
    for (const client of this.opening) dropConnection(client as BackendClient);
  }
}
