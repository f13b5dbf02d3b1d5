import type { AppConfig } from '../config/config.schema.js';
import { isAppError } from '../errors/app.error.js';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';
import { runDetached } from '../request-context/context.store.js';
import { DatabaseBreaker, type BreakerState } from './database.breaker.js';
import { DbCircuitOpenError, isDbFailure } from './database.errors.js';
import { isOutOfConnectionSlots } from './driver-error.classifier.js';
import type { DatabaseMetrics } from './database.metrics.js';
import { failureReason } from './failure.reason.js';

const log = logger.child({ module: 'database' });

// Codes of calls refused before reaching the server (connection.gate.ts, database.breaker.ts).
const REJECTION_CODES = new Set([
  'DB_CIRCUIT_OPEN',
  'DB_POOL_SATURATED',
  'DB_QUEUE_FULL',
  'DB_POOL_TIMEOUT',
]);

export interface PolicyHooks {
  /** The breaker's `SELECT 1` (DatabaseDriver.probe). */
  probe(): Promise<void>;
  /** Fails every caller queued for a connection (DatabaseDriver.rejectWaiting). */
  rejectWaiting(error: unknown): void;
}

/**
 * The database's one policy, built in one place with every event wired to metrics and logs:
 * the breaker (database.breaker.ts) fed by each call's outcome, refusals counted by code.
 */
export class DatabasePolicy {
  private readonly breaker: DatabaseBreaker;
  /** A suspicion probe is running (suspect()), and when the last one started. */
  private checking = false;
  private lastSuspicion = -Infinity;
  /** The server's or the network's own words for the last failure counted: why it opened. */
  private reason?: string;
  private readonly probeLines = new LogThrottle();

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: DatabaseMetrics,
    private readonly hooks: PolicyHooks,
  ) {
    this.breaker = new DatabaseBreaker({
      threshold: config.DB_BREAKER_THRESHOLD,
      probeIntervalMs: config.DB_BREAKER_PROBE_INTERVAL_MS,
      probe: () => this.probe(),
      onStateChange: (state, detail) => this.changed(state, detail),
    });
  }

  get state(): BreakerState {
    return this.breaker.state;
  }

  /** Breaker state, and while open what opened it and since when (for /readyz?verbose). */
  status(): Record<string, unknown> {
    if (this.breaker.state === 'closed') return { breaker: 'closed' };
    return { breaker: 'open', cause: this.breaker.openCause, openForMs: this.breaker.openForMs };
  }

  /** Before a call: throws 503 DB_CIRCUIT_OPEN while the breaker is open. */
  admit(): void {
    this.breaker.check();
  }

  succeeded(): void {
    this.breaker.success();
  }

  /** A call failed: server failures feed the breaker, refusals are counted. */
  failed(error: unknown): void {
    if (isOutOfConnectionSlots(error)) {
      // The server answered: no slot for one more connection. The request fails; the breaker
      // learns nothing about the server being down.
      this.metrics.failures.inc({ code: 'DB_UNAVAILABLE' });
    } else if (isDbFailure(error)) {
      const code = (error as { code: string }).code;
      this.reason = failureReason(error);
      this.metrics.failures.inc({ code });
      this.breaker.failure(code);
    } else if (isAppError(error) && REJECTION_CODES.has(error.code)) {
      this.metrics.rejections.inc({ code: error.code });
    } else if (!isAppError(error)) {
      // A SQL error (unique violation, ...): the server answered.
      this.breaker.success();
    }
  }

  /**
   * A statement the caller's deadline cancelled after it had run SUSPECT_AFTER_MS. Such ends count
   * as nothing (a client's short deadline must not open the breaker for everyone), but when every
   * caller's deadline is shorter than DB_QUERY_TIMEOUT_MS a frozen server never reaches that
   * timeout, and the breaker never opened: each request spent its whole budget. So the server is
   * asked directly, one probe at a time and at most one a probe interval (the breaker's own
   * `SELECT 1` on a connection of its own, DB_HEALTH_TIMEOUT_MS): a probe that is not answered
   * opens the breaker (an answered one is what closes it); one that is answered changes nothing.
   */
  suspect(): void {
    const now = performance.now();
    if (this.checking || this.breaker.state === 'open') return;
    // At most one a probe interval: under a burst of deadline ends, one connection a second.
    if (now - this.lastSuspicion < this.config.DB_BREAKER_PROBE_INTERVAL_MS) return;
    this.lastSuspicion = now;
    this.checking = true;
    // Set off by a request's cancelled statement, but not part of it (its span, its log ids).
    runDetached(() => this.hooks.probe())
      .then(
        () => undefined,
        (error: unknown) => {
          this.reason = failureReason(error);
          this.metrics.failures.inc({ code: 'DB_QUERY_TIMEOUT' });
          this.breaker.open('DB_QUERY_TIMEOUT');
        },
      )
      .finally(() => (this.checking = false));
  }

  /**
   * A statement its caller cancelled went unanswered until a client-side bound (the cancel's
   * grace, DB_HEALTH_TIMEOUT_MS, or its own DB_QUERY_TIMEOUT_MS) and its connection was
   * destroyed. Counted once, as the DB_QUERY_TIMEOUT it is: the caller's abort is not what
   * counts (its call ends as that abort, which `failed` ignores, so nothing counts twice), the
   * server's silence is: a live server acts on a cancel in milliseconds, and one that ignores it
   * for the probe's own budget would fail the probe. One count, not an opening: a cancel can
   * miss its statement (sent between two of a transaction's), and `threshold` in a row, with no
   * success between, is what says the server has stopped. Bound, so the driver can take it as is.
   */
  readonly cancelIgnored = (): void => {
    this.reason = 'a cancelled statement went unanswered';
    this.metrics.failures.inc({ code: 'DB_QUERY_TIMEOUT' });
    this.breaker.failure('DB_QUERY_TIMEOUT');
  };

  /** Shutdown: no further probes. */
  stop(): void {
    this.breaker.stop();
  }

  /**
   * The breaker's probe, its failures logged with the server's words (at most once per 10 s):
   * the code that opened it (DB_UNAVAILABLE) said the same of a server refusing connections, a
   * database dropped and a role refused, and nothing said which, or that it still was.
   */
  private async probe(): Promise<void> {
    try {
      await this.hooks.probe();
    } catch (error) {
      const line = this.probeLines.take();
      if (line && this.breaker.state === 'open') {
        log.warn(
          { reason: failureReason(error), openForMs: this.breaker.openForMs, ...line },
          'database breaker probe failed: still open',
        );
      }
      throw error;
    }
  }

  private changed(state: BreakerState, detail: { cause?: string; openMs?: number }): void {
    this.metrics.breakerTransitions.inc({ state });
    if (state === 'closed') {
      log.info(
        { breaker: state, openMs: detail.openMs },
        'database breaker closed: answering again',
      );
      return;
    }
    log.warn(
      {
        breaker: state,
        cause: detail.cause,
        reason: this.reason,
        threshold: this.config.DB_BREAKER_THRESHOLD,
      },
      'database breaker opened: data routes answer 503 DB_CIRCUIT_OPEN until a probe succeeds',
    );
    // Nobody queued now would be served in time: tell them at once.
    this.hooks.rejectWaiting(
      new DbCircuitOpenError(Math.ceil(this.config.DB_BREAKER_PROBE_INTERVAL_MS / 1000)),
    );
  }
}
