import { sendCancelRequest } from './pg.cancel.js';
import type { BackendClient } from './pg.session.js';

export interface AbortWatch {
  /** The signal aborted while the connection was checked out: it must not be reused. */
  readonly cancelled: boolean;
  /** The run is over: stops watching. */
  stop(): void;
}

/**
 * What an abort does to a checked-out connection (pg.driver.ts, step 3): a CancelRequest at once,
 * so the server stops working for nobody, and `onCancelled` told how long the statement had run.
 */
export function watchAbort(
  client: BackendClient,
  signal: AbortSignal,
  options: { onCancelled?: (runningMs: number) => void },
): AbortWatch {
  let cancelled = false;
  const runningSince = performance.now();
  const onAbort = (): void => {
    cancelled = true;
    options.onCancelled?.(performance.now() - runningSince);
    if (client.processID !== null && client.secretKey !== null) {
      sendCancelRequest(client, client.processID, client.secretKey);
    }
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    get cancelled() {
      return cancelled;
    },
    stop() {
      signal.removeEventListener('abort', onAbort);
    },
  };
}
