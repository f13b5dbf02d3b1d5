import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealth } from './redis.health.js';
import { RedisService } from './redis.service.js';

/** Optional Redis (REDIS_URL) shared by features (rate limits, cache invalidation). */
@Module({
  imports: [TerminusModule, HealthModule],
  providers: [RedisService, RedisHealth],
  exports: [RedisService],
})
export class RedisModule {}
