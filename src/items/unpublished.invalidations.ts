import { logger } from '../logging/logger.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { BoundedRetrySet } from './bounded-retry.set.js';

const log = logger.child({ module: 'items' });

/** Ids remembered at most; past it the oldest is forgotten (and logged, at most every 10 s). */
export const UNPUBLISHED_MAX = 10_000;

export interface UnpublishedOptions {
  /** One PUBLISH of `id`'s invalidation; resolves once Redis took it, rejects when it did not. */
  publish: (id: string) => Promise<void>;
  /** Whether a PUBLISH can go out now (the connection is ready): a round waits for it. */
  ready: () => boolean;
  /** The pause between rounds while ids wait. */
  retryMs: number;
}

/**
 * Item writes whose invalidation Redis did not take (ItemInvalidationAcks counts them in
 * `items_cache_invalidations_unpublished_total`). Replicas do not all lose Redis at one moment:
 * each one's watchdog finds a hung Redis on its own second and its own REDIS_COMMAND_TIMEOUT_MS,
 * and a reconnect after a restart comes on each one's own backoff, and a path can fail between
 * the writer and Redis alone. A write in such a gap answered 200 (fail-open), and a replica that
 * never stopped listening, since nothing reached it, served the version from before it until
 * CACHE_TTL_MS, for as long after Redis answered again (30 s by default). Each id is remembered
 * instead and published again, each `retryMs` while the connection is ready and at once when it
 * is ready again, until Redis takes it: once Redis answers the writer, no replica it reaches
 * serves the old version for longer than a round. Not waited for acknowledgements: the write
 * answered long ago, and a replica that does not hear it has lost its subscription, so drops its
 * whole cache when subscribed again (ItemInvalidationHearing).
 */
export class UnpublishedInvalidations {
  /** Ids whose invalidation waits to be published again. */
  private readonly ids = new BoundedRetrySet(UNPUBLISHED_MAX, (line) =>
    log.warn(
      { max: UNPUBLISHED_MAX, ...line },
      'too many cache invalidations Redis did not take: the oldest is forgotten, and other replicas may serve its item until CACHE_TTL_MS',
    ),
  );
  private sending = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly options: UnpublishedOptions,
    metrics: MetricsService,
  ) {
    const ids = this.ids;
    metrics.readGauge(
      'items_cache_invalidations_pending',
      'Item writes whose invalidation Redis did not take, waiting to be published again once it does',
      () => ids.size,
    );
  }

  /** Ids waiting now (observable in tests). */
  get size(): number {
    return this.ids.size;
  }

  /** The invalidation of `id` did not reach Redis: it is published again until it does. */
  remember(id: string): void {
    if (this.stopped) return;
    this.ids.add(id);
    // Unreferenced: a pending retry never keeps the process alive.
    this.timer ??= setInterval(() => void this.retry(), this.options.retryMs).unref();
  }

  /**
   * One round: every id waiting is published again, if the connection is ready. Also called when
   * it becomes ready, so the round comes without waiting for the timer.
   */
  async retry(): Promise<void> {
    if (this.sending || this.ids.size === 0 || !this.options.ready()) return;
    this.sending = true;
    const round = this.ids.beginRound();
    const sent = this.ids.waiting();
    try {
      const results = await Promise.allSettled(sent.map((id) => this.options.publish(id)));
      let published = 0;
      results.forEach((result, i) => {
        // Remembered again while this round ran (a newer write): the next round sends it.
        if (result.status === 'fulfilled' && this.ids.clear(sent[i]!, round)) published++;
      });
      if (published > 0) {
        log.info(
          { published, waiting: this.ids.size },
          'cache invalidations Redis did not take are published now',
        );
      }
    } finally {
      this.sending = false;
      if (this.ids.size === 0) this.clearTimer();
    }
  }

  /** Shutdown: no more rounds; ids still waiting are left to CACHE_TTL_MS. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
