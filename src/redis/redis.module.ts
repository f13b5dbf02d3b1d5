import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealth } from './redis.health.js';
import { RedisService } from './redis.service.js';

/** Optional Redis (REDIS_URL) shared by features; global so they inject RedisService directly. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [RedisService, RedisHealth],
  exports: [RedisService],
})
export class RedisModule {}
