import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import fastJson from 'fast-json-stringify';
import { createHash } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { serializationSchema } from '../openapi/json-schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { IdempotentCreateFlights, type CreateOutcome } from './idempotent-create.flights.js';
import { ItemCache } from './item.cache.js';
import { encodeCursor } from './item.cursor.js';
import { etagOf, type Expected } from './item.etag.js';
import { ItemInvalidationBus } from './item-invalidation.bus.js';
import { ItemWriteInvalidation } from './item-write.invalidation.js';
import { itemSchema, type Item, type ItemInput, type ItemRepresentation } from './item.types.js';
import {
  IdempotencyKeyReusedError,
  ItemNotFoundError,
  ItemVersionConflictError,
  ItemVersionExhaustedError,
} from './items.errors.js';
import { ItemsRepository, type WriteResult } from './items.repository.js';

/**
 * Items use cases: reads through the cache, writes straight to the database followed by
 * invalidation here and on every other replica; a write whose outcome is unknown, once the
 * database has settled it (ItemWriteInvalidation).
 */
@Injectable()
export class ItemsService implements OnModuleInit, OnModuleDestroy {
  readonly cache: ItemCache;
  private readonly idempotentCreates: IdempotentCreateFlights;
  private readonly writes: ItemWriteInvalidation;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
    private readonly repository: ItemsRepository,
    private readonly bus: ItemInvalidationBus,
    private readonly context: RequestContextService,
  ) {
    this.cache = new ItemCache(
      {
        maxItems: config.CACHE_MAX_ITEMS,
        ttlMs: config.CACHE_TTL_MS,
        parkedWhile: (work) => context.parkedWhile(work),
      },
      metrics,
    );
    this.idempotentCreates = new IdempotentCreateFlights(metrics, (work) =>
      context.parkedWhile(work),
    );
    this.writes = new ItemWriteInvalidation(
      {
        cache: this.cache,
        bus,
        answers: (signal) => repository.answers(signal),
        aborted: () => context.signal.aborted,
      },
      config,
      metrics,
    );
  }

  onModuleInit(): void {
    this.bus.listen({
      invalidate: (id) => this.cache.invalidate(id, 'remote'),
      deaf: () => this.cache.suspend(),
      heard: () => this.cache.resume(),
    });
  }

  onModuleDestroy(): void {
    this.writes.stop();
  }

  /** One item, from the cache when possible; 404 ITEM_NOT_FOUND. */
  async get(id: string): Promise<ItemRepresentation> {
    const found = await this.cache.get(
      id,
      async (signal) => {
        const item = await this.repository.findById(id, signal);
        return item && represent(item);
      },
      // Read only on a miss: a hit never needs the request's signal, which is made on first read
      // (request-context/request-state.ts).
      () => this.context.signal,
    );
    if (!found) throw new ItemNotFoundError(id);
    return found;
  }

  /** One page after `after`, with the cursor of the next page (null on the last). */
  async list(
    after: string | undefined,
    limit: number,
  ): Promise<{ items: Item[]; nextCursor: string | null }> {
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await this.repository.list(after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  /** Creates an item; with `idempotencyKey`, a retry returns the first item (`replayed`). */
  async create(
    input: ItemInput & { name: string },
    idempotencyKey?: string,
  ): Promise<{ representation: ItemRepresentation; replayed: boolean }> {
    if (!idempotencyKey) {
      return { representation: represent(await this.repository.create(input)), replayed: false };
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(canonical(input)))
      .digest('base64url');
    const { item, replayed } = await this.idempotentCreates.run(
      idempotencyKey,
      fingerprint,
      (signal) => this.createOnce(input, idempotencyKey, fingerprint, signal),
      this.context.signal,
    );
    return { representation: represent(item), replayed };
  }

  private async createOnce(
    input: ItemInput & { name: string },
    key: string,
    fingerprint: string,
    signal: AbortSignal,
  ): Promise<CreateOutcome> {
    // A second attempt covers the one race left: the key swept between claim and read.
    for (let attempt = 0; ; attempt++) {
      const result = await this.repository.createIdempotent(input, key, fingerprint, signal);
      if ('reused' in result) throw new IdempotencyKeyReusedError();
      if ('item' in result) return result;
      if (attempt > 0) throw new Error('idempotent create kept losing its key to the sweeper');
    }
  }

  /**
   * PATCH with If-Match; 412 ITEM_VERSION_CONFLICT when another write got there first, or when
   * the item is at a version If-None-Match rules out (`excluded`); 409 ITEM_VERSION_EXHAUSTED
   * when it is at the last version it can have.
   */
  async update(
    id: string,
    expected: Expected,
    patch: ItemInput,
    excluded?: Expected,
  ): Promise<ItemRepresentation> {
    const result = await this.writes.tracking(id, (progress) =>
      this.repository.update(id, expected, patch, excluded, progress),
    );
    await this.writes.written(id, result);
    return represent(settled(id, result));
  }

  /** DELETE, guarded by the `expected` versions unless 'any', and by none of `excluded`. */
  async remove(id: string, expected: Expected, excluded?: Expected): Promise<void> {
    const result = await this.writes.tracking(id, (progress) =>
      this.repository.delete(id, expected, excluded, progress),
    );
    await this.writes.written(id, result);
    if (!('deleted' in result)) settled(id, result);
  }
}

function settled(id: string, result: WriteResult): Item {
  if ('item' in result) return result.item;
  if ('missing' in result) throw new ItemNotFoundError(id);
  if ('exhausted' in result) throw new ItemVersionExhaustedError(id, result.exhausted);
  throw new ItemVersionConflictError(id, etagOf(id, result.conflict));
}

// Compiled from the documented model (fast-json-stringify), so the body is the contract's shape.
const serializeItem = fastJson(serializationSchema(itemSchema));

/** Serialises once per version: a cache hit sends these bytes as they are. */
function represent(item: Item): ItemRepresentation {
  return { item, etag: etagOf(item.id, item.version), body: serializeItem(item) };
}

function canonical(input: ItemInput): unknown {
  return { name: input.name, description: input.description ?? null, tags: input.tags ?? [] };
}
