import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessService } from '../health/readiness.service.js';
import { RateLimitFailOpen } from './rate-limit.fail-open.js';
import { RedisService } from './redis.service.js';

/**
 * The `redis` entry of /readyz. Never fails readiness: everything Redis backs fails open
 * (rate limits are skipped, the item cache is out of use), so taking pods out of
 * rotation because Redis is away would turn a degraded service into an outage. `degraded` when
 * the connection is not ready, or when it is but the rate limiter's store keeps failing.
 */
@Injectable()
export class RedisHealth implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
    private readonly rateLimit: RateLimitFailOpen,
  ) {}

  onModuleInit(): void {
    if (!this.redis.client) return;
    this.readiness.addCheck(() => {
      const session = this.indicators.check('redis');
      // A connection can be ready while every command fails (READONLY, OOM, NOPERM): the rate
      // limiter's last store error says so (rate-limit.fail-open.ts, which rechecks the store
      // each second while it fails, traffic or not). One from before the connection's latest
      // `ready` belonged to the outage it reconnected from, until a recheck fails again.
      const failure = this.rateLimit.failing;
      const failing = failure !== undefined && failure.at >= this.redis.readySince;
      if (this.redis.isReady && !failing) return session.up();
      return session.degraded({
        connection: this.redis.status,
        failOpen: true,
        ...(failing ? { error: failure.error } : {}),
      });
    });
  }
}
