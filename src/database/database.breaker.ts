import { runDetached } from '../request-context/context.store.js';
import { DbCircuitOpenError } from './database.errors.js';

export type BreakerState = 'closed' | 'open';

export interface DatabaseBreakerOptions {
  /** Consecutive failures that open it (DB_BREAKER_THRESHOLD). */
  threshold: number;
  /** Pause between background probes while open (DB_BREAKER_PROBE_INTERVAL_MS). */
  probeIntervalMs: number;
  /** `SELECT 1` against the server; resolves when it answered. */
  probe: () => Promise<void>;
  /** Every transition, with the failure that opened it or how long it stayed open. */
  onStateChange: (state: BreakerState, detail: { cause?: string; openMs?: number }) => void;
}

/**
 * Stops sending work to a database that is down or hung. Closed: calls go through and
 * unavailable/timed-out outcomes are counted; `threshold` in a row (any success resets) open
 * it. Open: `check()` throws DB_CIRCUIT_OPEN at once — a fast 503 instead of each request
 * spending its connect or query timeout on a server that is not answering — and a background
 * probe runs every `probeIntervalMs`; the first answer closes it.
 *
 * Why not cockatiel's CircuitBreakerPolicy (used for upstreams in src/upstream/): it closes
 * through a half-open trial of a real call, so a user request pays for each test, and with no
 * traffic it never learns the database is back. Here recovery is driven by the probe alone,
 * so data routes return within a probe interval of the database answering, traffic or not.
 */
export class DatabaseBreaker {
  private failures = 0;
  private openedAt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private cause?: string;

  constructor(private readonly options: DatabaseBreakerOptions) {}

  get state(): BreakerState {
    return this.openedAt === 0 ? 'closed' : 'open';
  }

  /** What opened it (an error code), while open. */
  get openCause(): string | undefined {
    return this.cause;
  }

  /** Milliseconds since it opened; 0 while closed. */
  get openForMs(): number {
    return this.openedAt === 0 ? 0 : Date.now() - this.openedAt;
  }

  /** Throws DB_CIRCUIT_OPEN while open; Retry-After is the probe interval, rounded up. */
  check(): void {
    if (this.openedAt !== 0) {
      throw new DbCircuitOpenError(Math.max(1, Math.ceil(this.options.probeIntervalMs / 1000)));
    }
  }

  /** The server answered a call (a SQL error counts: it answered). */
  success(): void {
    this.failures = 0;
  }

  /** A call found the server unreachable or unanswering; `code` names how. */
  failure(code: string): void {
    this.failures++;
    if (this.failures >= this.options.threshold) this.open(code);
  }

  /**
   * Opens at once: the server did not answer its own probe (DatabasePolicy.suspect), which is
   * what closes the breaker when it does.
   */
  open(code: string): void {
    if (this.openedAt !== 0 || this.stopped) return;
    this.openedAt = Date.now();
    this.cause = code;
    this.options.onStateChange('open', { cause: code });
    this.scheduleProbe();
  }

  /** Shutdown: no further probes. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    // Detached: opened by a request's failure, the probes (and the "closed" line) are not its.
    this.timer = runDetached(() =>
      setTimeout(() => void this.probeOnce(), this.options.probeIntervalMs),
    );
    // A probe loop must never keep a finished process alive.
    this.timer.unref();
  }

  private async probeOnce(): Promise<void> {
    try {
      await this.options.probe();
    } catch {
      this.scheduleProbe();
      return;
    }
    if (this.stopped) return;
    const openMs = Date.now() - this.openedAt;
    this.openedAt = 0;
    this.failures = 0;
    this.cause = undefined;
    this.options.onStateChange('closed', { openMs });
  }
}
