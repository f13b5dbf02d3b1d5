import type { AppConfig } from '../config/config.schema.js';
import type { DatabaseDriver, SqlSession } from './database.driver.js';
import type { DatabaseMetrics } from './database.metrics.js';
import type { DatabasePolicy } from './database.policy.js';

/**
 * A statement its caller cancelled after it had run this long makes the policy ask the server
 * whether it still answers (DatabasePolicy.suspect): statements here take milliseconds.
 */
const SUSPECT_AFTER_MS = 500;

/** Who runs a call: its name in metrics, what aborts it, and when its request fails anyway. */
export interface DatabaseCall {
  /** Names the call in metrics (`items.find_by_id`). */
  operation: string;
  signal: AbortSignal;
  /** Epoch ms the wait for a connection must not outlast; absent: only the cap bounds it. */
  deadline?: number;
  /** Told as each statement is handed to the server (RunOptions.onSent). */
  onSent?: () => void;
}

/**
 * One call through the driver under the database's policy (DatabaseService's `query` and
 * `transaction`): the breaker first (open → 503 DB_CIRCUIT_OPEN at once), then the driver's
 * run with this service's bounds, and its outcome back to the breaker and the metrics.
 */
export class DatabaseCallRunner {
  constructor(
    private readonly config: AppConfig,
    private readonly policy: DatabasePolicy,
    private readonly metrics: DatabaseMetrics,
  ) {}

  async run<T>(
    driver: DatabaseDriver,
    { operation, signal, deadline, onSent }: DatabaseCall,
    fn: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const waitStarted = performance.now();
    try {
      this.policy.admit();
      const result = await driver.run(
        (session) => {
          this.metrics.acquired(operation, performance.now() - waitStarted);
          return fn(session);
        },
        {
          signal,
          acquireTimeoutMs: this.config.DB_POOL_ACQUIRE_TIMEOUT_MS,
          deadline,
          // Not DB_QUERY_TIMEOUT_MS: a frozen server held the slot that long (pg.abort.ts), and
          // a connect nobody waits for held it DB_CONNECT_TIMEOUT_MS (pg.connect.ts).
          cancelGraceMs: this.config.DB_HEALTH_TIMEOUT_MS,
          onCancelled: this.cancelledAfter,
          onCancelIgnored: this.policy.cancelIgnored,
          onSent,
        },
      );
      this.policy.succeeded();
      return result;
    } catch (error) {
      this.policy.failed(error);
      throw error;
    }
  }

  /** A statement its caller cancelled after a long run: is the server still answering? */
  private readonly cancelledAfter = (runningMs: number): void => {
    if (runningMs >= SUSPECT_AFTER_MS) this.policy.suspect();
  };
}
