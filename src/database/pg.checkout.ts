import type pg from 'pg';
import type { ConnectionGate } from './connection.gate.js';
import type { RunOptions } from './database.driver.js';
import { classifyConnectError, sqlState, TOO_MANY_CONNECTIONS } from './driver-error.classifier.js';
import { connectUnlessAborted, type ConnectOutcome } from './pg.connect.js';
import type { OpeningConnections } from './pg.opening.js';
import type { BackendClient } from './pg.session.js';
import { logger } from '../logging/logger.js';

const log = logger.child({ module: 'database' });

// How long the pool keeps to the connections it has after the server refused one more for want
// of a slot (53300), before it asks for another: slots free as other clients of the server
// close theirs, and asking on every request would be refused as often.
const SLOTS_RETRY_AFTER_MS = 1_000;
// Connects refused for want of a slot that one call sits out before it fails: each time the
// pool had fewer connections (another one closed meanwhile), so this ends.
const SLOT_RETRIES = 3;

/** A connection held for one run, with the gate slot it was taken under. */
export interface Checkout {
  client: BackendClient;
  /** Gives the connection back to the pool (destroyed, with `destroy`), then the slot. */
  release(destroy: boolean): void;
}

/**
 * Steps 1 and 2 of a PgDriver run (pg.driver.ts): a slot in the gate, then a connection taken
 * or opened under it. A connect refused for want of a server slot while the pool has
 * connections goes back to the gate, held to those connections for a while; a connect the
 * caller left keeps the slot until it is over (pg.connect.ts), and the caller gets its abort.
 */
export class PoolCheckout {
  constructor(
    private readonly pool: pg.Pool,
    private readonly gate: ConnectionGate,
    private readonly opening: OpeningConnections,
  ) {}

  take(options: RunOptions): Promise<Checkout> {
    return this.takeHolding(options, SLOT_RETRIES);
  }

  private async takeHolding(options: RunOptions, slotRetries: number): Promise<Checkout> {
    const { signal } = options;
    const acquiredAt = await this.gate.acquire({
      signal,
      timeoutMs: options.acquireTimeoutMs,
      deadline: options.deadline,
    });
    // No idle connection: the pool opens one for this holder (connection.gate.ts, `standing`).
    const opened =
      this.pool.idleCount === 0 && this.pool.totalCount < this.gate.max
        ? this.gate.openingConnection()
        : undefined;
    let outcome: ConnectOutcome;
    try {
      outcome = await connectUnlessAborted(this.pool, this.opening, signal, options.cancelGraceMs);
    } catch (error) {
      opened?.();
      // No slot on the server for one more connection, and the pool has some: wait for one of
      // them (in the gate, within the deadline) rather than fail a request they can serve.
      const waitForOpen =
        sqlState(error) === TOO_MANY_CONNECTIONS &&
        slotRetries > 0 &&
        this.limitToOpenConnections();
      this.gate.release(acquiredAt);
      if (waitForOpen) return this.takeHolding(options, slotRetries - 1);
      throw classifyConnectError(error, signal);
    }
    if (outcome.abandoned) {
      // A connect still pending when its caller left: the server may have stopped answering.
      // Its slot comes back once the connect is over: opened, failed, or destroyed a
      // `cancelGraceMs` after the caller left (pg.connect.ts).
      options.onCancelled?.(outcome.abandoned.afterMs);
      void outcome.abandoned.settled.then(() => {
        opened?.();
        this.gate.release(acquiredAt);
      });
      throw signal.reason;
    }
    opened?.();
    const client = outcome.client!;
    return {
      client,
      release: (destroy) => {
        client.release(destroy);
        this.gate.release(acquiredAt);
      },
    };
  }

  /** Holds the gate to the pool's open connections for a while; false when it has none. */
  private limitToOpenConnections(): boolean {
    const open = this.pool.totalCount;
    const wasFull = this.gate.capacity === this.gate.max;
    if (!this.gate.limitTo(open, SLOTS_RETRY_AFTER_MS)) return false;
    if (wasFull) {
      log.warn(
        { open, max: this.gate.max, forMs: SLOTS_RETRY_AFTER_MS },
        'PostgreSQL has no connection slot to spare: requests wait for the connections the pool has',
      );
    }
    return true;
  }
}
