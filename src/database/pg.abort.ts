import { sendCancelRequest } from './pg.cancel.js';
import { dropConnection, type BackendClient } from './pg.session.js';

export interface AbortWatch {
  /** The signal aborted while the connection was checked out: it must not be reused. */
  readonly cancelled: boolean;
  /**
   * The cancelled statement reached its own client-side bound (DB_QUERY_TIMEOUT_MS) before the
   * grace did: the server ignored the cancel just the same. Reported once, as the grace is.
   */
  boundReached(): void;
  /** The run is over: stops watching, and clears the grace timer. */
  stop(): void;
}

export interface AbortWatchOptions {
  /** Once the signal aborts, how long the run may go on before its connection is destroyed. */
  graceMs?: number;
  /** The signal aborted, after the statement had run `runningMs`. */
  onCancelled?: (runningMs: number) => void;
  /**
   * The cancel went unanswered until a client-side bound (the grace, or the statement's own) and
   * the connection was destroyed. Called at most once a run.
   */
  onCancelIgnored?: () => void;
  /**
   * Whether a statement is running now (PgSession.running): no cancel is sent when none is,
   * since the session sends nothing more once the signal has aborted (pg.session.ts).
   */
  running?: () => boolean;
}

/**
 * What an abort does to a checked-out connection (pg.driver.ts, step 3): a CancelRequest at once
 * if a statement is running, so the server stops working for nobody, and `onCancelled` told how
 * long the run had gone on. The session sends no statement after the abort (pg.session.ts), so
 * the cancel stops the one it was sent for or, arriving after that one ended, finds the session
 * idle, where the server ignores it; it can never stop a later one.
 * With `graceMs`, a run still not over that long after the abort has its connection destroyed:
 * a server that has stopped answering (frozen, partitioned) never acts on the cancel, and the
 * statement then ended only at its own client-side bound (DB_QUERY_TIMEOUT_MS, or
 * DB_MIGRATION_TIMEOUT_MS for a migration), holding its pool slot and socket seconds after its
 * caller had gone, and a shutdown past SHUTDOWN_TIMEOUT_MS. The statement and any clean-up after
 * it (a ROLLBACK, an unlock) then fail at once; the server ends the session, and drops what it
 * held, when it reads the closed connection.
 */
export function watchAbort(
  client: BackendClient,
  signal: AbortSignal,
  options: AbortWatchOptions,
): AbortWatch {
  let cancelled = false;
  let ignored = false;
  let grace: NodeJS.Timeout | undefined;
  const runningSince = performance.now();
  const cancelIgnored = (): void => {
    if (ignored) return;
    ignored = true;
    options.onCancelIgnored?.();
  };
  const onAbort = (): void => {
    cancelled = true;
    options.onCancelled?.(performance.now() - runningSince);
    const idle = options.running?.() === false;
    if (!idle && client.processID !== null && client.secretKey !== null) {
      sendCancelRequest(client, client.processID, client.secretKey);
    }
    if (options.graceMs === undefined) return;
    grace = setTimeout(() => {
      dropConnection(client);
      cancelIgnored();
    }, options.graceMs);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    get cancelled() {
      return cancelled;
    },
    boundReached() {
      if (cancelled) cancelIgnored();
    },
    stop() {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(grace);
    },
  };
}
