import type { Counter } from 'prom-client';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';
import type { MetricsService } from '../metrics/metrics.service.js';

const log = logger.child({ module: 'items' });
/**
 * Longest a write waits for Redis to take its PUBLISH and every replica to confirm; past it the
 * write answers anyway. Never past the request's deadline less the answer's margin either: the
 * write has committed, and a 504 would tell its client the outcome is unknown.
 */
export const ACK_TIMEOUT_MS = 500;
/**
 * The margin: ANSWER_MARGIN_MS, or half the time left when that is less. The whole 50 ms taken
 * from a short deadline (`x-request-timeout: 50ms`) left no wait at all: the write answered 200
 * before any replica had dropped its copy, and a read-after-write on another replica (one in five
 * here) got the old version, counted nowhere. Healthy replicas answer within a Redis round trip.
 */
const ANSWER_MARGIN_MS = 50;

/** How long a write with `remainingMs` before its deadline may wait for acknowledgements. */
function ackWaitMs(remainingMs: number): number {
  return Math.min(ACK_TIMEOUT_MS, remainingMs - Math.min(ANSWER_MARGIN_MS, remainingMs / 2));
}

interface PendingAck {
  acks: number;
  /** Subscribers PUBLISH reached; unknown until its reply (acks may arrive before it). */
  expected?: number;
  done: () => void;
}

/**
 * A write's bounded wait for every replica to confirm its invalidation (ItemInvalidationBus
 * carries the messages). Fail-open: with Redis away, or a replica silent for ACK_TIMEOUT_MS, the
 * write still succeeds. A write answered unconfirmed is counted and logged (at most once per
 * 10 s): a replica slow or gone, or a subscriber that is no replica of this deployment (the
 * channel is REDIS_KEY_PREFIX's). An invalidation Redis did not take is handed on to be published
 * again once it does (UnpublishedInvalidations): a replica still subscribed meanwhile (Redis
 * unreachable from the writer alone, or not yet found hung by that replica) was not told.
 */
export class ItemInvalidationAcks {
  private readonly pending = new Map<string, PendingAck>();
  private sequence = 0;
  /**
   * Publishes failed since the last one that went through. Logged at the first and when they
   * end: a line per write flooded the log with one warning per write for a whole Redis outage.
   */
  private failedInARow = 0;
  private readonly unpublished: Counter;
  private readonly unconfirmed: Counter;
  private readonly unconfirmedLines = new LogThrottle();

  /**
   * @param unpublishedId told of each write whose invalidation Redis did not take, to publish it
   *   again once Redis does (UnpublishedInvalidations).
   */
  constructor(
    metrics: MetricsService,
    private readonly unpublishedId: (id: string) => void = () => undefined,
  ) {
    this.unpublished = metrics.counter({
      name: 'items_cache_invalidations_unpublished_total',
      help: 'Item writes whose invalidation could not be published (Redis away): replicas still subscribed may serve their copy until it is published again (items_cache_invalidations_pending)',
    });
    this.unconfirmed = metrics.counter({
      name: 'items_cache_invalidations_unconfirmed_total',
      help: 'Item writes answered at the end of their wait (500 ms or the deadline) without every subscriber of the invalidation channel acknowledging',
    });
  }

  /**
   * Sends the invalidation of item `id` with `send` (a PUBLISH on `channel` carrying the sequence
   * number it is given, answering how many subscribers it reached) and waits, bounded by
   * `deadline` (the request's, Infinity outside one), until as many have acknowledged it
   * (`acknowledged`); never throws.
   */
  async publish(
    channel: string,
    id: string,
    deadline: number,
    send: (seq: string) => Promise<number>,
  ): Promise<void> {
    const seq = String(++this.sequence);
    const waitMs = ackWaitMs(deadline - Date.now());
    if (waitMs <= 0) {
      // The deadline has passed, and its 504 is the answer: sent, not awaited.
      send(seq).catch(() => {
        this.unpublished.inc();
        this.unpublishedId(id);
      });
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const entry: PendingAck = { acks: 0, done: () => undefined };
    const confirmed = new Promise<void>((resolve) => {
      entry.done = resolve;
      this.pending.set(seq, entry);
      timer = setTimeout(resolve, waitMs);
    });
    let taken = false;
    // The PUBLISH's own reply counts against the same wait: a frozen Redis held it for the
    // client's 1 s command timeout, and the write answered after 1.5 s (or its deadline).
    const published = send(seq).then((receivers) => {
      taken = true;
      entry.expected = receivers;
      settle(entry);
    });
    published.catch(() => undefined); // a rejection after the wait ended is nobody's to hear
    try {
      await Promise.race([published, confirmed]);
      await confirmed;
      if (!taken) throw new Error(`Redis did not take the PUBLISH within ${waitMs} ms`);
      if (entry.acks < (entry.expected ?? 0)) this.answeredUnconfirmed(channel, entry);
      if (this.failedInARow > 0) {
        log.info({ failed: this.failedInARow }, 'cache invalidations published again');
        this.failedInARow = 0;
      }
    } catch (error) {
      this.unpublished.inc();
      this.unpublishedId(id);
      if (this.failedInARow++ === 0) {
        log.warn(
          { err: (error as Error).message, id },
          'cache invalidation not published (fail-open); the next failures are counted, not logged',
        );
      }
    } finally {
      clearTimeout(timer);
      this.pending.delete(seq);
    }
  }

  /** A replica's acknowledgement of invalidation `seq`, heard on this writer's channel. */
  acknowledged(seq: string): void {
    const entry = this.pending.get(seq);
    if (!entry) return;
    entry.acks++;
    settle(entry);
  }

  private answeredUnconfirmed(channel: string, entry: PendingAck): void {
    this.unconfirmed.inc();
    const line = this.unconfirmedLines.take();
    if (!line) return;
    log.warn(
      { channel, subscribers: entry.expected, acknowledged: entry.acks, ...line },
      'item write answered before every subscriber of the invalidation channel acknowledged: a replica is slow or gone, or the subscriber is no replica of this deployment (REDIS_KEY_PREFIX)',
    );
  }
}

function settle(entry: PendingAck): void {
  if (entry.expected !== undefined && entry.acks >= entry.expected) entry.done();
}
