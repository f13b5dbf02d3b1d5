interface Flight<V> {
  promise: Promise<V>;
  controller: AbortController;
  waiters: number;
}

/**
 * Go's singleflight for promises: concurrent calls with the same key share one execution of
 * `load`. Each caller waits under its own AbortSignal; the shared work gets a signal of its own
 * that aborts only when every caller has given up, so one impatient client cannot cancel the
 * query others still wait for, and a query nobody waits for is cancelled.
 */
export class SingleFlight<K, V> {
  private readonly flights = new Map<K, Flight<V>>();

  /** Flights in progress (observable in tests). */
  get size(): number {
    return this.flights.size;
  }

  /**
   * Joins the flight for `key`, or starts it with `load`. `onJoin` is told whether this call
   * started the flight (false = coalesced onto one already running).
   */
  run(
    key: K,
    load: (signal: AbortSignal) => Promise<V>,
    signal: AbortSignal,
    onJoin?: (leader: boolean) => void,
  ): Promise<V> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let flight = this.flights.get(key);
    onJoin?.(flight === undefined);
    if (!flight) {
      const controller = new AbortController();
      const started: Flight<V> = { controller, waiters: 0, promise: undefined as never };
      started.promise = load(controller.signal).finally(() => {
        if (this.flights.get(key) === started) this.flights.delete(key);
      });
      // Waiters attach below; this keeps a rejection nobody awaits (all left) from being unhandled.
      started.promise.catch(() => undefined);
      this.flights.set(key, started);
      flight = started;
    }
    const joined = flight;
    joined.waiters++;
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => {
        if (--joined.waiters === 0) {
          // Nobody wants the result any more: stop the work and let the next caller start afresh.
          if (this.flights.get(key) === joined) this.flights.delete(key);
          joined.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Later callers for `key` start a new flight; current waiters still get the old result. */
  forget(key: K): void {
    this.flights.delete(key);
  }

  /** forget() for every key: later callers join no flight begun before this call. */
  forgetAll(): void {
    this.flights.clear();
  }
}
