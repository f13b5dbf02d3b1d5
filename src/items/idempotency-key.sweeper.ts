import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { logger } from '../logging/logger.js';

const log = logger.child({ module: 'items' });

/** Rows deleted per statement: short statements, short row locks. */
const BATCH = 1_000;
/** Statements in a row: a backlog is worked off in bursts of this many, never in one long one. */
const BATCHES_PER_BURST = 20;
/** The pause between two bursts, so the deletes leave the database time for requests. */
const BURST_PAUSE_MS = 200;

/**
 * Deletes Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_MS, every TTL/24 (between once a
 * minute and once an hour), so the table stays bounded by the traffic of one TTL. A key
 * replays its item for at least the TTL; a retry after its deletion creates a new item, as with
 * any API whose keys expire. A sweep goes on until no expired key is left, in bursts: a cap per
 * sweep (20,000 keys an hour at the default TTL) let the table grow for good past ~5.6 keyed
 * creates/s. Every replica sweeps: the DELETEs are idempotent, and a key deleted
 * under a concurrent claim or replay makes that request retry its claim
 * (ItemsService.create).
 */
@Injectable()
export class IdempotencyKeySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  /**
   * Aborted at shutdown: the sweep's statement is cancelled (and its connection dropped when a
   * frozen server ignores the cancel: DatabaseService), where it held the pool's end at shutdown
   * step 5 until DB_QUERY_TIMEOUT_MS; a sweep has no request whose signal would do it.
   */
  private readonly stop = new AbortController();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {}

  onApplicationBootstrap(): void {
    const everyMs = Math.min(Math.max(this.config.IDEMPOTENCY_KEY_TTL_MS / 24, 60_000), 3_600_000);
    // sweep() logs its own failures and never rejects.
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stop.abort(new Error('shutting down'));
  }

  /** One sweep; resolves with the number of keys deleted. Failures are logged, not thrown. */
  async sweep(): Promise<number> {
    // A sweep working off a long backlog may outlast the interval: one at a time per replica.
    if (this.sweeping) return 0;
    this.sweeping = true;
    let deleted = 0;
    const { signal } = this.stop;
    try {
      for (let batch = 1; !signal.aborted; batch++) {
        // The expiry is tested again on the deleted row itself: a key taken over (renewed) by a
        // create while this statement waited for its row is re-checked by PostgreSQL on its new
        // version against the DELETE's own conditions only, not the subquery's, and was deleted
        // just after it answered 201, so its retry made a second item.
        const { rowCount } = await this.db.query(
          'items.idempotency_keys.sweep',
          `DELETE FROM item_idempotency_keys
           WHERE created_at < now() - $1::bigint * interval '1 millisecond'
             AND key IN (
               SELECT key FROM item_idempotency_keys
               WHERE created_at < now() - $1::bigint * interval '1 millisecond'
               ORDER BY created_at LIMIT ${BATCH})`,
          [this.config.IDEMPOTENCY_KEY_TTL_MS],
          { signal },
        );
        deleted += rowCount;
        if (rowCount < BATCH) break;
        if (batch % BATCHES_PER_BURST === 0) await sleep(BURST_PAUSE_MS, undefined, { signal });
      }
      if (deleted > 0) log.info({ deleted }, 'expired idempotency keys deleted');
    } catch (error) {
      if (signal.aborted) {
        log.info({ deleted }, 'idempotency key sweep stopped by shutdown');
        return deleted;
      }
      // The database being away is reported by readiness; the next sweep tries again.
      log.warn({ err: error, deleted }, 'idempotency key sweep failed');
    } finally {
      this.sweeping = false;
    }
    return deleted;
  }
}
