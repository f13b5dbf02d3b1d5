import type { AppConfig } from '../config/config.schema.js';
import { isDbFailure } from '../database/database.errors.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { InDoubtWrites, inDoubtSettleMs } from './in-doubt.writes.js';
import type { ItemCache } from './item.cache.js';
import type { ItemInvalidationBus } from './item-invalidation.bus.js';
import type { WriteProgress, WriteResult } from './items.repository.js';

export interface ItemWriteInvalidationDeps {
  cache: ItemCache;
  bus: ItemInvalidationBus;
  /** Resolves once the database answers a statement begun now (ItemsRepository.answers). */
  answers: (signal: AbortSignal) => Promise<void>;
  /** Whether the current request's signal has aborted: its client left, or its deadline passed. */
  aborted: () => boolean;
}

/**
 * Brings the item caches, here and on every other replica, in line with what a PATCH or DELETE
 * did: a write that changed the item is dropped at once (ItemInvalidationBus), one refused (412,
 * 409, 404) has this replica's entry checked against the version the database holds, and one whose
 * outcome is unknown is dropped once the database has settled it (InDoubtWrites).
 */
export class ItemWriteInvalidation {
  private readonly inDoubt: InDoubtWrites;

  constructor(
    private readonly deps: ItemWriteInvalidationDeps,
    config: AppConfig,
    metrics: MetricsService,
  ) {
    this.inDoubt = new InDoubtWrites(
      {
        answers: deps.answers,
        settleMs: inDoubtSettleMs(config),
        retryMs: config.DB_BREAKER_PROBE_INTERVAL_MS,
        invalidate: async (id) => {
          deps.cache.invalidate(id, 'in_doubt');
          await deps.bus.publish(id);
        },
      },
      metrics,
    );
  }

  /**
   * Runs a write to `id`, which tells `progress` as its statement goes out and as it answers.
   * When it fails in between (the request's own abort, the server lost or silent under it), the
   * id is remembered until the database settles it (InDoubtWrites). A write that failed before
   * its statement went out (breaker, pool, a connect, an abort while it waited for a connection)
   * never reached the database; one that failed after its statement answered (matching no row,
   * then losing the lookup of the version) and the server's own errors changed nothing: none is
   * in doubt.
   */
  async tracking<T>(id: string, write: (progress: WriteProgress) => Promise<T>): Promise<T> {
    let outcome = 'not sent' as 'not sent' | 'unknown' | 'answered';
    try {
      return await write({
        sent: () => (outcome = 'unknown'),
        answered: () => (outcome = 'answered'),
      });
    } catch (error) {
      if (outcome === 'unknown' && (isDbFailure(error) || this.deps.aborted())) {
        this.inDoubt.remember(id);
      }
      throw error;
    }
  }

  /** After a write: invalidated here and on every replica, or, when refused, reconciled here. */
  async written(id: string, result: WriteResult | { deleted: true }): Promise<void> {
    if ('conflict' in result) return this.deps.cache.reconcile(id, result.conflict);
    if ('exhausted' in result) return this.deps.cache.reconcile(id, result.exhausted);
    if ('missing' in result) return this.deps.cache.reconcile(id, undefined);
    this.deps.cache.invalidate(id, 'local');
    await this.deps.bus.publish(id);
  }

  /** Shutdown: no more settling; ids still in doubt are left to CACHE_TTL_MS. */
  stop(): void {
    this.inDoubt.stop();
  }
}
