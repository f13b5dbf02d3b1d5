import { Module } from '@nestjs/common';
import { ItemInvalidationBus } from './item-invalidation.bus.js';
import { ItemsController } from './items.controller.js';
import { ItemsRepository } from './items.repository.js';
import { ItemsService } from './items.service.js';

/** `/api/items`: CRUD with ETags, idempotent creates, keyset pages and a coalescing cache. */
@Module({
  controllers: [ItemsController],
  providers: [ItemsService, ItemsRepository, ItemInvalidationBus],
})
export class ItemsModule {}
