import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessService } from '../health/readiness.service.js';
import { RedisService } from './redis.service.js';

/**
 * The `redis` entry of /readyz. Never fails readiness: everything Redis backs fails open
 * (rate limits are skipped, cache invalidation falls back to the TTL), so taking pods out of
 * rotation because Redis is away would turn a degraded service into an outage.
 */
@Injectable()
export class RedisHealth implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
  ) {}

  onModuleInit(): void {
    if (!this.redis.client) return;
    this.readiness.addCheck(() => {
      const session = this.indicators.check('redis');
      return this.redis.isReady
        ? session.up()
        : session.degraded({ connection: this.redis.status, failOpen: true });
    });
  }
}
