import type pg from 'pg';
import { startDeadlineTimer } from '../request-context/deadline.timer.js';
import type { SqlResult, SqlSession } from './database.driver.js';
import { DbQueryTimeoutError } from './database.errors.js';
import { sendCancelRequest } from './pg.cancel.js';

/** Client with the backend identity node-postgres keeps after the startup handshake. */
export type BackendClient = pg.PoolClient & {
  processID: number | null;
  secretKey: number | null;
  host: string;
  port: number;
  connection?: { stream?: { destroy(): void } };
};

/**
 * Gives up on a connection at once: a CancelRequest in case the server is alive but slow (so it
 * stops the statement), then the socket destroyed. Destroying, not `end()`: a graceful goodbye
 * waits for a server that may never answer. The client later reports the lost socket as an
 * 'error' event, after its caller's listener is gone; the no-op listener keeps that from
 * crashing the process.
 */
export function abandon(client: BackendClient): void {
  if (client.processID && client.secretKey !== null) {
    sendCancelRequest(client, client.processID, client.secretKey);
  }
  dropConnection(client);
}

/** Destroys the connection's socket (the cancel already sent: pg.abort.ts), as `abandon` does. */
export function dropConnection(client: BackendClient): void {
  client.on('error', () => undefined);
  client.connection?.stream?.destroy();
}

/** The session a `run` callback gets from PgDriver. */
export interface PgSession extends SqlSession {
  /** A statement was sent and its answer has not come: what a cancel sent now would stop. */
  readonly running: boolean;
}

/**
 * The session a `run` callback gets. Every statement races a client-side timer of `timeoutMs`
 * (DB_QUERY_TIMEOUT_MS, or what `exec` is given; 0 = none): a server that stopped answering
 * (SIGSTOP, a partition that drops packets) sends no error and no RST, so without it the
 * statement would hang until the request's deadline and hold its pool slot all that time. At the timer the connection is
 * abandoned and the caller gets DB_QUERY_TIMEOUT, which the breaker counts.
 * Once `stop` (the run's signal) has aborted, no statement is sent: each fails at once with the
 * abort's reason. The cancel the abort sent (pg.abort.ts) travels on a connection of its own and
 * may reach the server after the statement it was meant for has ended; anything sent after that
 * statement (the migration's next step, a ROLLBACK, the lock's release) is what it then stopped.
 * Nothing is lost by sending none: the connection is discarded, and the server rolls back and
 * lets go of its locks when the session ends. `onSent` is told as each statement goes out
 * (RunOptions.onSent).
 */
export function timedSessionOf(
  client: BackendClient,
  timeoutMs: number,
  stop?: AbortSignal,
  onSent?: () => void,
): PgSession {
  let running = 0;
  const timed = <T>(send: () => Promise<T>, boundMs = timeoutMs): Promise<T> => {
    if (stop?.aborted) return Promise.reject(stop.reason as Error);
    const work = send();
    running++;
    onSent?.();
    const ended = () => void running--;
    work.then(ended, ended);
    if (boundMs <= 0) return work;
    return new Promise<T>((resolve, reject) => {
      // Unreferenced, as a request's deadline: every statement's timer has the same duration,
      // and a plain one would make and free Node's list for it per statement (deadline.timer.ts).
      const timer = startDeadlineTimer(() => {
        // The statement's own rejection (Connection terminated) comes later and is not news.
        work.catch(() => undefined);
        abandon(client);
        reject(new DbQueryTimeoutError(boundMs));
      }, boundMs);
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
  return {
    get running() {
      return running > 0;
    },
    async query<R>(sql: string, params?: readonly unknown[], name?: string): Promise<SqlResult<R>> {
      const values = params as unknown[] | undefined;
      const result = await timed(() =>
        name ? client.query({ name, text: sql, values }) : client.query(sql, values),
      );
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string, ownTimeoutMs?: number): Promise<void> {
      await timed(() => client.query(sql), ownTimeoutMs);
    },
  };
}
