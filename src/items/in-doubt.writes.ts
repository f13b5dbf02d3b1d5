import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../config/config.schema.js';
import { logger } from '../logging/logger.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { runDetached } from '../request-context/context.store.js';
import { BoundedRetrySet } from './bounded-retry.set.js';

const log = logger.child({ module: 'items' });

/** Ids remembered at most; past it the oldest is forgotten (and logged, at most every 10 s). */
export const IN_DOUBT_MAX = 10_000;

export interface InDoubtOptions {
  /**
   * Resolves once the database has answered a statement begun now; rejects when it has not
   * (or, the breaker open, nothing was sent).
   */
  answers: (signal: AbortSignal) => Promise<void>;
  /** After the database answered, how long a write it was sent before may still commit. */
  settleMs: number;
  /** The pause before asking again when the database did not answer. */
  retryMs: number;
  /** Drops `id` here and on every replica (ItemInvalidationBus); never throws. */
  invalidate: (id: string) => Promise<void>;
}

/**
 * How long after the database answers again a write it was sent before may still commit. Its
 * session, its client gone, ends within DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS of the server
 * running it (the server checks the closed connection while the statement runs), and its statement
 * at DB_STATEMENT_TIMEOUT_MS: the shorter one, plus DB_HEALTH_TIMEOUT_MS for a server that
 * answers to act on it. With both 0 nothing bounds it: CACHE_TTL_MS still does the cache. PGlite
 * runs in this process, one statement at a time: the one that answered came after the write.
 */
export function inDoubtSettleMs(config: AppConfig): number {
  if (!config.DATABASE_URL) return 0;
  const bounds = [config.DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS, config.DB_STATEMENT_TIMEOUT_MS];
  const bound = Math.min(...bounds.filter((ms) => ms > 0));
  return (Number.isFinite(bound) ? bound : 0) + config.DB_HEALTH_TIMEOUT_MS;
}

/**
 * Item writes whose statement was sent but whose outcome the client never learned (the request's
 * deadline or disconnect, the server silent until DB_QUERY_TIMEOUT_MS, the connection lost under
 * the statement): the statement may have reached the server, and may commit later (a frozen
 * server that resumes, a statement whose cancel was lost, waiting on a lock). Invalidating at
 * the failure does not help, since the commit can come after it, and without it every replica
 * served the old version until CACHE_TTL_MS, Redis up or not. Each id is remembered instead and dropped again, here and on
 * every replica, once the database has answered a statement begun after the failure and
 * `settleMs` has passed since: the write has then committed or never will (docs/data.md says
 * which settings make that so), and a read after it finds what the database holds.
 */
export class InDoubtWrites {
  /** Ids of writes waiting to be settled. */
  private readonly ids = new BoundedRetrySet(IN_DOUBT_MAX, (line) =>
    log.warn(
      { max: IN_DOUBT_MAX, ...line },
      'too many item writes of unknown outcome: the oldest is forgotten, and other replicas may serve its item until CACHE_TTL_MS',
    ),
  );
  private settling = false;
  private readonly stopped = new AbortController();

  constructor(
    private readonly options: InDoubtOptions,
    metrics: MetricsService,
  ) {
    const ids = this.ids;
    metrics.readGauge(
      'items_cache_writes_in_doubt',
      'Item writes of unknown outcome waiting for the database to answer before their cache entries are dropped again on every replica',
      () => ids.size,
    );
  }

  /** Ids waiting now (observable in tests). */
  get size(): number {
    return this.ids.size;
  }

  /**
   * The write to `id` failed without an outcome after its statement was sent: its cache entries
   * are dropped once it is settled. One that failed before (waiting for a connection) is not
   * in doubt: it never reached the database; nor one that failed after its statement answered
   * (ItemWriteInvalidation.tracking decides).
   */
  remember(id: string): void {
    if (this.stopped.signal.aborted) return;
    this.ids.add(id);
    if (this.settling) return;
    this.settling = true;
    // Set off by a failed request, but not part of it: its deadline has passed, and the
    // invalidations' wait for acknowledgements must not be cut to it.
    void runDetached(() => this.settle());
  }

  /** Shutdown: no more rounds; ids still waiting are left to CACHE_TTL_MS. */
  stop(): void {
    this.stopped.abort();
  }

  private async settle(): Promise<void> {
    const { signal } = this.stopped;
    try {
      while (this.ids.size > 0 && !signal.aborted) {
        const round = this.ids.beginRound();
        try {
          await this.options.answers(signal);
        } catch {
          await sleep(this.options.retryMs, undefined, { signal });
          continue;
        }
        await sleep(this.options.settleMs, undefined, { signal });
        // Put here before this round's statement began: remembered again since, not settled yet.
        const settled = this.ids.clearRound(round);
        await Promise.all(settled.map((id) => this.options.invalidate(id)));
        log.info(
          { ids: settled.length },
          'item writes of unknown outcome settled: their cache entries dropped on every replica',
        );
      }
    } catch (error) {
      // Only a stop ends a sleep early; anything else is a fault here, and must not go unheard.
      if (!signal.aborted)
        log.error({ err: error }, 'settling item writes of unknown outcome failed');
    } finally {
      // In the same turn as the loop's last check: an id remembered after it starts a new one.
      this.settling = false;
    }
  }
}
