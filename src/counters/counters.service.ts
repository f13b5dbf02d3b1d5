import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { sqlState } from '../database/driver-error.classifier.js';
import { isAppError } from '../errors/app.error.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { runOutsideRequest } from '../request-context/context.store.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { CounterIncrementFailedError, isCounterOutOfRange } from './counters.errors.js';
import { CountersMetrics } from './counters.metrics.js';
import { CountersRepository } from './counters.repository.js';
import { IncrementCombiner, type IncrementBatch } from './increment.combiner.js';

const log = logger.child({ module: 'counters' });

/**
 * Counter use cases. Increments go through one IncrementCombiner per replica, so concurrent
 * increments of one name share a statement (COUNTER_BATCH_MAX) and the replica holds at most
 * one pooled connection per counter being incremented, however many requests wait on it.
 *
 * Counters are the data path's one hot-row write that is combined. Item writes carry If-Match:
 * with a version (the usual case) N concurrent writers of one item wait at most for one commit
 * — the winner's — and the rest get 412, so nothing queues on the row. `If-Match: *` overwrites
 * of one item do queue on its row like increments; combining them would mean merging patches
 * and answering each writer with a version no reader could ever see, for a pattern (many blind
 * overwrites of one item at once) this service does not serve, so they are left as they are.
 * Idempotency-Key claims each insert a row of their own (the same key twice is one client's
 * retry, not load); item ids come from a sequence, which takes no row lock; the key sweeper
 * deletes in bounded batches; the cache only reads, and its misses are single-flighted.
 */
@Injectable()
export class CountersService {
  private readonly combiner: IncrementCombiner;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
    private readonly repository: CountersRepository,
    private readonly context: RequestContextService,
    private readonly db: DatabaseService,
  ) {
    const instruments = new CountersMetrics(metrics, () => this.combiner.waiting);
    this.combiner = new IncrementCombiner({
      maxBatch: config.COUNTER_BATCH_MAX,
      apply: (batch) => this.apply(batch),
      outOfRange: isCounterOutOfRange,
      onSend: (size) => instruments.sent(size),
      onWithdraw: () => instruments.withdrawn(),
    });
  }

  /** Current value; a counter never incremented is 0. */
  get(name: string): Promise<number> {
    return this.repository.get(name);
  }

  /** Adds `by`; resolves with the value right after this increment (distinct per caller). */
  increment(name: string, by: number): Promise<number> {
    // With the breaker open the database layer refuses every call at once (503
    // DB_CIRCUIT_OPEN). Sent alone, the increment gets that answer now instead of queueing
    // behind a statement that may hang until DB_QUERY_TIMEOUT_MS; if the breaker has just
    // closed, it simply runs as a batch of one.
    const current = this.context.current();
    const signal = current?.signal ?? this.context.signal;
    const deadline = current?.deadline ?? Infinity;
    if (this.db.breakerState === 'open') {
      return this.apply({ name, total: by, size: 1, deadline, signal });
    }
    // A caller that finds no statement in flight for its counter sends its own at once: it
    // waits for a pooled connection and the row, the queueing the limiter must see, so it keeps
    // its admission slot. One queued behind a statement in flight uses no CPU and no connection
    // meanwhile: parked, it lends its slot to the next request (the limiter would otherwise read
    // a hot counter's queue as overload and refuse the increments that make the batches big).
    const sendsNow = !this.combiner.busy(name);
    const answer = this.combiner.add(name, by, signal, deadline);
    return sendsNow ? answer : this.context.parkedWhile(answer);
  }

  private async apply(batch: IncrementBatch): Promise<number> {
    // A batch runs in its first caller's context (increment.combiner.ts). Queued, that caller was
    // parked; as its batch's sender it takes its slot back for the statement's wait and run, so
    // every statement in flight holds one slot and the callers riding along hold none.
    this.context.current()?.admission?.unpark();
    try {
      // The statement serves every caller of the batch: it gets the batch's own signal and
      // deadline, and runs outside the request of its first caller (the combiner sends it in
      // that caller's context), so nothing downstream reads that one request's deadline or
      // signal; its span stays, and the query's spans join a trace the statement serves.
      const deadline = Number.isFinite(batch.deadline) ? batch.deadline : undefined;
      return await runOutsideRequest(() =>
        this.repository.increment(batch.name, batch.total, batch.signal, deadline),
      );
    } catch (error) {
      // A server-side rejection (trigger, permission, lock timeout) rolled the statement back.
      // Logged here once with its cause; each caller gets the same coded, quiet answer.
      // Coded errors (DB_UNAVAILABLE, DB_POOL_TIMEOUT, COUNTER_OUT_OF_RANGE) pass as they are.
      if (isAppError(error) || sqlState(error) === undefined) throw error;
      log.error({ err: error, counter: batch.name, batch: batch.size }, 'counter statement failed');
      throw new CounterIncrementFailedError(batch.name, batch.size, error);
    }
  }
}
