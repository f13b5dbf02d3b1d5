import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

/**
 * Every Redis key and channel rampart uses, each under REDIS_KEY_PREFIX (default `rampart:`),
 * spelled here and nowhere else. Fixed names made every deployment on one Redis one deployment
 * to Redis: another's writes dropped this one's cached items by id, one of its subscribers that
 * never acknowledged (another release, a `SUBSCRIBE` left open in redis-cli) made every write
 * here wait out the acknowledgement timeout, and clients shared rate-limit buckets across both.
 * Deployments that serve one database keep one prefix: their caches must hear each other's writes.
 */
@Injectable()
export class RedisNames {
  /** The pub/sub channel on which every replica hears item writes (items/item-invalidation.bus.ts). */
  readonly itemInvalidations: string;
  /** What each rate-limit counter key starts with, the client's address following (rate-limit.options.ts). */
  readonly rateLimitKeys: string;
  /** The key the pod's own check of a failing limit store writes (rate-limit.fail-open.ts). */
  readonly rateLimitRecheck: string;
  private readonly itemAckPrefix: string;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'REDIS_KEY_PREFIX'>) {
    const prefix = config.REDIS_KEY_PREFIX;
    this.itemInvalidations = `${prefix}items:invalidate`;
    this.itemAckPrefix = `${prefix}items:ack:`;
    this.rateLimitKeys = `${prefix}rate-limit:`;
    // Under the limiter's namespace, where no client address can be this name.
    this.rateLimitRecheck = `${this.rateLimitKeys}store-recheck`;
  }

  /** The channel on which replicas acknowledge the invalidations of the writer `origin`. */
  itemAcks(origin: string): string {
    return `${this.itemAckPrefix}${origin}`;
  }
}
