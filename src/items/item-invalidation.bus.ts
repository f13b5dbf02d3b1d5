import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { RedisService } from '../redis/redis.service.js';

const log = logger.child({ module: 'items' });
const CHANNEL = 'rampart:items:invalidate';
const ACK_PREFIX = 'rampart:items:ack:';
/**
 * Longest a write waits for Redis to take its PUBLISH and every replica to confirm; past it the
 * write answers anyway. Never past the request's deadline less ANSWER_MARGIN_MS either: the
 * write has committed, and a 504 would tell its client the outcome is unknown.
 */
export const ACK_TIMEOUT_MS = 500;
const ANSWER_MARGIN_MS = 50;

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
 * Fail-open: with Redis away, or a replica silent for ACK_TIMEOUT_MS, the write still succeeds
 * and a replica may serve its copy until CACHE_TTL_MS — the staleness bound during an outage.
 * A subscriber that reconnects drops its whole cache (it may have missed messages).
 * Without REDIS_URL it does nothing: the cache is local only.
 */
@Injectable()
export class ItemInvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly origin = randomUUID();
  private readonly pending = new Map<string, PendingAck>();
  private sequence = 0;
  private subscriber?: Redis;
  private onRemote: (id: string) => void = () => undefined;
  private onGap: () => void = () => undefined;
  /**
   * Publishes failed since the last one that went through. Logged at the first and when they
   * end: a line per write flooded the log with one warning per write for a whole Redis outage.
   */
  private failedInARow = 0;
  private readonly unpublished: Counter;

  constructor(
    private readonly redis: RedisService,
    metrics: MetricsService,
    private readonly context: RequestContextService,
  ) {
    this.unpublished = metrics.counter({
      name: 'items_cache_invalidations_unpublished_total',
      help: 'Item writes whose invalidation could not be published (Redis away): replicas may serve their copy until CACHE_TTL_MS',
    });
  }

  /** Registers what to do with invalidations from other replicas and after a feed gap. */
  listen(handlers: { invalidate: (id: string) => void; gap: () => void }): void {
    this.onRemote = handlers.invalidate;
    this.onGap = handlers.gap;
  }

  onModuleInit(): void {
    const subscriber = this.redis.subscriber();
    if (!subscriber) return;
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === CHANNEL) this.received(message);
      else this.acknowledged(message);
    });
    // Subscribed on every connection, not once: ioredis re-subscribes only channels whose
    // SUBSCRIBE went through, so a replica that started while Redis was away never subscribed
    // (it served stale items, and its own writes waited out ACK_TIMEOUT_MS for its own ack).
    // Once subscribed, the cache is dropped: it may have missed messages while unsubscribed.
    subscriber.on('ready', () => {
      subscriber.subscribe(CHANNEL, `${ACK_PREFIX}${this.origin}`).then(
        () => this.onGap(),
        (error: unknown) =>
          log.warn({ err: error }, 'cache invalidation subscribe failed; retried on reconnect'),
      );
    });
  }

  /** Announces a write to item `id` and waits (bounded) for every replica; never throws. */
  async publish(id: string): Promise<void> {
    const client = this.redis.client;
    if (!client) return;
    const seq = String(++this.sequence);
    const message = `${this.origin} ${seq} ${id}`;
    const deadline = this.context.current()?.deadline ?? Infinity;
    const waitMs = Math.min(ACK_TIMEOUT_MS, deadline - Date.now() - ANSWER_MARGIN_MS);
    if (waitMs <= 0) {
      // No time left to wait for anyone: sent, not awaited.
      client.publish(CHANNEL, message).catch(() => this.unpublished.inc());
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const confirmed = new Promise<void>((resolve) => {
      this.pending.set(seq, { acks: 0, done: resolve });
      timer = setTimeout(resolve, waitMs);
    });
    let taken = false;
    // The PUBLISH's own reply counts against the same wait: a frozen Redis held it for the
    // client's 1 s command timeout, and the write answered after 1.5 s (or its deadline).
    const published = client.publish(CHANNEL, message).then((receivers) => {
      taken = true;
      const entry = this.pending.get(seq);
      if (entry) {
        entry.expected = receivers;
        settle(entry);
      }
    });
    published.catch(() => undefined); // a rejection after the wait ended is nobody's to hear
    try {
      await Promise.race([published, confirmed]);
      await confirmed;
      if (!taken) throw new Error(`Redis did not take the PUBLISH within ${waitMs} ms`);
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
    this.subscriber?.disconnect();
  }

  private received(message: string): void {
    const [origin, seq, id] = message.split(' ', 3);
    if (!origin || !seq || !id) return;
    if (origin !== this.origin) this.onRemote(id);
    // Acknowledge after dropping the entry, on the writer's channel (self included: PUBLISH
    // counted our own subscriber too).
    this.redis.client?.publish(`${ACK_PREFIX}${origin}`, seq).catch(() => undefined);
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
