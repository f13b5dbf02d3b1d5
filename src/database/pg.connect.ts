import type pg from 'pg';
import type { BackendClient } from './pg.session.js';

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
 */
export async function connectUnlessAborted(
  pool: pg.Pool,
  signal: AbortSignal,
): Promise<ConnectOutcome> {
  const started = performance.now();
  const connecting = pool.connect() as Promise<BackendClient>;
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
  const settled = connecting.then(
    (client) => client.release(),
    () => undefined,
  );
  return { abandoned: { afterMs: performance.now() - started, settled } };
}
