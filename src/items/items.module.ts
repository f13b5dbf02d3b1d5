import { Module } from '@nestjs/common';
import { IdempotencyKeySweeper } from './idempotency-key.sweeper.js';
import { ItemInvalidationBus } from './item-invalidation.bus.js';
import { ItemsController } from './items.controller.js';
import { ItemsRepository } from './items.repository.js';
import { ItemsService } from './items.service.js';
import { DatabaseModule } from '../database/database.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';

/** `/api/items`: CRUD with ETags, idempotent creates, keyset pages and a coalescing cache. */
@Module({
  imports: [DatabaseModule, MetricsModule, RedisModule, RequestContextModule],
  controllers: [ItemsController],
  providers: [ItemsService, ItemsRepository, ItemInvalidationBus, IdempotencyKeySweeper],
})
export class ItemsModule {}
