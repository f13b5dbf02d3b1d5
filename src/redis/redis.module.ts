import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RateLimitFailOpen } from './rate-limit.fail-open.js';
import { RedisHealth } from './redis.health.js';
import { RedisNames } from './redis.names.js';
import { RedisService } from './redis.service.js';

/** Optional Redis (REDIS_URL) shared by features (rate limits, cache invalidation). */
@Module({
  imports: [TerminusModule, HealthModule, MetricsModule],
  providers: [RedisService, RedisNames, RedisHealth, RateLimitFailOpen],
  exports: [RedisService, RedisNames, RateLimitFailOpen],
})
export class RedisModule {}
