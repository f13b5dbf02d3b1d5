import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { RedisNames } from '../redis/redis.names.js';
import { RedisService } from '../redis/redis.service.js';
import { ItemInvalidationHearing, type HearingHandlers } from './item-invalidation.hearing.js';

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
 * before any replica had dropped its copy, and a read-after-write on another replica (one in five here)
 * got the old version, counted nowhere. Healthy replicas answer within a Redis round trip.
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
 * Tells every replica to drop an item from its cache, and waits until they have (Redis
 * pub/sub, REDIS_URL). PUBLISH returns how many subscribers got the message; each one drops the
 * entry and acknowledges on the writer's own channel, and the write answers once all have —
 * so after a client sees its write succeed, no replica serves the old version (read-your-writes
 * across pods, which a fire-and-forget publish cannot promise: the next read may reach the
 * other pod before the message does).
 * Fail-open: with Redis away, or a replica silent for ACK_TIMEOUT_MS, the write still succeeds.
 * A write answered unconfirmed is counted and logged (at most once per 10 s): a replica slow or
 * gone, or a subscriber that is no replica of this deployment (the channel is REDIS_KEY_PREFIX's).
 * A PUBLISH counts only the subscribers it reaches, so a replica that lost its subscription is
 * missed unseen: it serves nothing from its cache until subscribed again, then drops it all
 * (ItemInvalidationHearing). What is left to CACHE_TTL_MS: a replica still subscribed when a
 * writer could not publish (Redis unreachable from the writer alone).
 * Without REDIS_URL it does nothing: the cache is local only.
 */
@Injectable()
export class ItemInvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly origin = randomUUID();
  private readonly pending = new Map<string, PendingAck>();
  private sequence = 0;
  private subscriber?: Redis;
  private onRemote: (id: string) => void = () => undefined;
  private readonly hearing: ItemInvalidationHearing;
  /**
   * Publishes failed since the last one that went through. Logged at the first and when they
   * end: a line per write flooded the log with one warning per write for a whole Redis outage.
   */
  private failedInARow = 0;
  private readonly unpublished: Counter;
  private readonly unconfirmed: Counter;
  private readonly unconfirmedLines = new LogThrottle();

  constructor(
    private readonly redis: RedisService,
    private readonly names: RedisNames,
    metrics: MetricsService,
    private readonly context: RequestContextService,
  ) {
    this.hearing = new ItemInvalidationHearing(metrics);
    this.unpublished = metrics.counter({
      name: 'items_cache_invalidations_unpublished_total',
      help: 'Item writes whose invalidation could not be published (Redis away): replicas still subscribed may serve their copy until CACHE_TTL_MS',
    });
    this.unconfirmed = metrics.counter({
      name: 'items_cache_invalidations_unconfirmed_total',
      help: 'Item writes answered at the end of their wait (500 ms or the deadline) without every subscriber of the invalidation channel acknowledging',
    });
  }

  /**
   * Registers what to do with invalidations from other replicas, and while this replica cannot
   * hear them (HearingHandlers).
   */
  listen(handlers: { invalidate: (id: string) => void } & HearingHandlers): void {
    this.onRemote = handlers.invalidate;
    this.hearing.listen(handlers);
  }

  /**
   * Waits up to 1 s for the first subscription when Redis is up, so a healthy start serves from
   * its cache at once; starts with the cache out of use otherwise.
   */
  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.subscriber();
    if (!subscriber) return;
    this.subscriber = subscriber;
    const channel = this.names.itemInvalidations;
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) this.received(message);
      else this.acknowledged(message);
    });
    await this.hearing.follow(
      subscriber,
      () => subscriber.subscribe(channel, this.names.itemAcks(this.origin)),
      this.redis.isReady ? 1_000 : 0,
    );
  }

  /** Announces a write to item `id` and waits (bounded) for every replica; never throws. */
  async publish(id: string): Promise<void> {
    const client = this.redis.client;
    if (!client) return;
    const channel = this.names.itemInvalidations;
    const seq = String(++this.sequence);
    const message = `${this.origin} ${seq} ${id}`;
    const deadline = this.context.current()?.deadline ?? Infinity;
    const waitMs = ackWaitMs(deadline - Date.now());
    if (waitMs <= 0) {
      // The deadline has passed, and its 504 is the answer: sent, not awaited.
      client.publish(channel, message).catch(() => this.unpublished.inc());
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
    const published = client.publish(channel, message).then((receivers) => {
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

  onApplicationShutdown(): void {
    this.hearing.stop();
    this.subscriber?.disconnect();
  }

  private received(message: string): void {
    const [origin, seq, id] = message.split(' ', 3);
    if (!origin || !seq || !id) return;
    if (origin !== this.origin) this.onRemote(id);
    // Acknowledge after dropping the entry, on the writer's channel (self included: PUBLISH
    // counted our own subscriber too).
    this.redis.client?.publish(this.names.itemAcks(origin), seq).catch(() => undefined);
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

  private acknowledged(seq: string): void {
    const entry = this.pending.get(seq);
    if (!entry) return;
    entry.acks++;
    settle(entry);
  }
}

function settle(entry: PendingAck): void {
  if (entry.expected !== undefined && entry.acks >= entry.expected) entry.done();
}
