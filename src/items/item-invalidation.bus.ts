import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MetricsService } from '../metrics/metrics.service.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { RedisNames } from '../redis/redis.names.js';
import { RedisService } from '../redis/redis.service.js';
import { ItemInvalidationAcks } from './item-invalidation.acks.js';
import { ItemInvalidationHearing, type HearingHandlers } from './item-invalidation.hearing.js';
import { UnpublishedInvalidations } from './unpublished.invalidations.js';

/**
 * The sequence number a PUBLISH sent again carries: no write waits for its acknowledgements
 * (ItemInvalidationAcks numbers from 1), so the replicas' acknowledgements of it are ignored.
 */
const UNAWAITED_SEQ = '0';
/** How often invalidations Redis did not take are sent again while the connection is ready. */
const REPUBLISH_MS = 1_000;

/**
 * Tells every replica to drop an item from its cache, and waits until they have (Redis
 * pub/sub, REDIS_URL). PUBLISH returns how many subscribers got the message; each one drops the
 * entry and acknowledges on the writer's own channel, and the write answers once all have
 * (ItemInvalidationAcks, which bounds the wait and fails open) — so after a client sees its write
 * succeed, no replica serves the old version (read-your-writes across pods, which a
 * fire-and-forget publish cannot promise: the next read may reach the other pod before the
 * message does).
 * A PUBLISH counts only the subscribers it reaches, so a replica that lost its subscription is
 * missed unseen: it serves nothing from its cache until subscribed again, then drops it all
 * (ItemInvalidationHearing). One Redis did not take is published again once it does
 * (UnpublishedInvalidations).
 * Without REDIS_URL it does nothing: the cache is local only.
 */
@Injectable()
export class ItemInvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly origin = randomUUID();
  private subscriber?: Redis;
  private onRemote: (id: string) => void = () => undefined;
  private readonly hearing: ItemInvalidationHearing;
  private readonly acks: ItemInvalidationAcks;
  private readonly unpublished: UnpublishedInvalidations;

  constructor(
    private readonly redis: RedisService,
    private readonly names: RedisNames,
    metrics: MetricsService,
    private readonly context: RequestContextService,
  ) {
    this.hearing = new ItemInvalidationHearing(metrics);
    this.unpublished = new UnpublishedInvalidations(
      {
        publish: async (id) => {
          await this.redis.client?.publish(this.names.itemInvalidations, this.message(id));
        },
        ready: () => this.redis.isReady,
        retryMs: REPUBLISH_MS,
      },
      metrics,
    );
    this.acks = new ItemInvalidationAcks(metrics, (id) => this.unpublished.remember(id));
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
    this.redis.client?.on('ready', () => void this.unpublished.retry());
    this.subscriber = subscriber;
    const channel = this.names.itemInvalidations;
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) this.received(message);
      else this.acks.acknowledged(message);
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
    const deadline = this.context.current()?.deadline ?? Infinity;
    await this.acks.publish(channel, id, deadline, (seq) =>
      client.publish(channel, this.message(id, seq)),
    );
  }

  onApplicationShutdown(): void {
    this.unpublished.stop();
    this.hearing.stop();
    this.subscriber?.disconnect();
  }

  /** What a PUBLISH on the invalidation channel carries: who wrote, its sequence, the item. */
  private message(id: string, seq = UNAWAITED_SEQ): string {
    return `${this.origin} ${seq} ${id}`;
  }

  private received(message: string): void {
    const [origin, seq, id] = message.split(' ', 3);
    if (!origin || !seq || !id) return;
    if (origin !== this.origin) this.onRemote(id);
    // Acknowledge after dropping the entry, on the writer's channel (self included: PUBLISH
    // counted our own subscriber too).
    this.redis.client?.publish(this.names.itemAcks(origin), seq).catch(() => undefined);
  }
}
