import type pg from 'pg';
import type { OpeningConnections } from './pg.opening.js';
import { dropConnection, type BackendClient } from './pg.session.js';

export interface ConnectOutcome {
  /** The connection, when it opened before the caller left. */
  client?: BackendClient;
  /** The caller left first: the connect goes on, and `settled` says when it is over. */
  abandoned?: { afterMs: number; settled: Promise<void> };
}

/**
 * Takes or opens a pool connection, and stops waiting when `signal` aborts. A connect to a
 * server that hangs (TCP accepted, no answer) held its caller for DB_CONNECT_TIMEOUT_MS past the
 * request's deadline, and then counted as the caller's abort, so a hung server met by an empty
 * pool never opened the breaker. Abandoned, the connect goes on in the background: a connection
 * it opens goes back to the pool, and `settled` resolves once it is over either way, for the
 * caller to give back its gate slot then (the pool never opens more than the gate allows).
 *
 * With `graceMs`, a connect still not open that long after its caller left is destroyed
 * (`signal` is the run's: with a shared run, it aborts when the last caller interested has
 * gone). A live server opens a connection in milliseconds, so one that lets the grace pass has
 * stopped answering, and waiting on for DB_CONNECT_TIMEOUT_MS held a gate slot for a connection
 * nobody waits for: a few requests that left on a frozen server filled the pool with such
 * connects, and the next ones queued behind them. One that opens within the grace is kept: the
 * pool reuses it.
 */
export async function connectUnlessAborted(
  pool: pg.Pool,
  opening: OpeningConnections,
  signal: AbortSignal,
  graceMs?: number,
): Promise<ConnectOutcome> {
  const started = performance.now();
  const { connecting, opening: client } = opening.connect(pool);
  let onAbort!: () => void;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const first = await Promise.race([connecting, aborted]);
    if (first !== 'aborted') return { client: first };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  // Destroyed, the connect fails at once (as at its timeout), and `settled` follows.
  const grace =
    client && graceMs !== undefined
      ? setTimeout(() => {
          if (opening.has(client)) dropConnection(client);
        }, graceMs)
      : undefined;
  const settled = connecting.then(
    (opened) => opened.release(),
    () => undefined,
  );
  void settled.then(() => clearTimeout(grace));
  return { abandoned: { afterMs: performance.now() - started, settled } };
}
