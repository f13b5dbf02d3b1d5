import { LRUCache } from 'lru-cache';
import type { Counter } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { ItemRepresentation } from './item.types.js';
import { SingleFlight } from './single-flight.js';

type Loaded = ItemRepresentation | undefined;

/**
 * Read-through cache for single items: a bounded LRU with TTL (CACHE_MAX_ITEMS, CACHE_TTL_MS)
 * in front of the database, with concurrent misses for one id sharing one query (single-flight
 * — the stampede a cold popular item would otherwise cause). Writes call invalidate(): the
 * entry is dropped, and a load already in flight for that id may still answer its waiters but
 * is not stored, so a read that raced a write cannot re-insert the old version.
 * While this replica cannot hear other replicas' invalidations (suspend() until resume()) it
 * serves and stores nothing: reads query the database, still coalesced per id.
 * CACHE_MAX_ITEMS=0 turns caching and coalescing off (every read queries); CACHE_TTL_MS is at
 * least 1 (lru-cache would read 0 as "never expire").
 */
export class ItemCache {
  private readonly lru?: LRUCache<string, ItemRepresentation>;
  private readonly flights = new SingleFlight<string, Loaded>();
  /** Loads whose result may still be stored, by id; invalidate() revokes the claim. */
  private readonly storable = new Map<string, symbol>();
  /** False between suspend() and resume(). */
  private serving = true;
  private readonly hit: { inc(): void };
  private readonly miss: { inc(): void };
  private readonly coalesced: { inc(): void };
  private readonly invalidations: Counter<'source'>;

  /**
   * @param options.parkedWhile how a caller that joined another's query waits: parked, it lends
   *   its admission slot (RequestContextService.parkedWhile); the caller that runs the query
   *   holds its slot, since it holds a pooled connection.
   */
  constructor(
    private readonly options: {
      maxItems: number;
      ttlMs: number;
      parkedWhile?: <T>(work: Promise<T>) => Promise<T>;
    },
    metrics: MetricsService,
  ) {
    if (options.maxItems > 0) {
      this.lru = new LRUCache({ max: options.maxItems, ttl: options.ttlMs });
    }
    const requests = metrics.counter({
      name: 'items_cache_requests_total',
      help: 'Item reads by cache outcome: hit, miss (queried), coalesced (joined a running query)',
      labelNames: ['result'] as const,
    });
    this.hit = requests.labels('hit');
    this.miss = requests.labels('miss');
    this.coalesced = requests.labels('coalesced');
    this.invalidations = metrics.counter({
      name: 'items_cache_invalidations_total',
      help: 'Item cache invalidations by source: local write, another replica via Redis, or a write of unknown outcome once settled (in_doubt)',
      labelNames: ['source'] as const,
    });
    const lru = this.lru;
    metrics.readGauge(
      'items_cache_entries',
      'Items held in the in-process cache',
      () => lru?.size ?? 0,
    );
  }

  /** The cached item, or the result of `load` (shared with concurrent callers for `id`). */
  get(
    id: string,
    load: (signal: AbortSignal) => Promise<Loaded>,
    signal: () => AbortSignal,
  ): Promise<Loaded> {
    if (!this.lru) {
      this.miss.inc();
      return load(signal());
    }
    const cached = this.serving ? this.lru.get(id) : undefined;
    if (cached) {
      this.hit.inc();
      return Promise.resolve(cached);
    }
    let joined = false;
    const loaded = this.flights.run(
      id,
      (shared) => this.fill(id, load, shared),
      signal(),
      (leader) => {
        joined = !leader;
        (leader ? this.miss : this.coalesced).inc();
      },
    );
    return joined && this.options.parkedWhile ? this.options.parkedWhile(loaded) : loaded;
  }

  /**
   * Drops `id`: after a write here (`local`), a message from another replica (`remote`), or a
   * write here whose outcome was unknown, once the database settled it (`in_doubt`).
   */
  invalidate(id: string, source: 'local' | 'remote' | 'in_doubt'): void {
    this.lru?.delete(id);
    this.storable.delete(id);
    this.flights.forget(id);
    this.invalidations.labels(source).inc();
  }

  /**
   * A refused write (412, 404) read the stored version (undefined: no such row): drops a cached
   * entry that disagrees, here only. Nothing changed in the database, so nothing is published;
   * invalidating as for a write let any client empty every replica's cache of a hot item with a
   * bogus If-Match, and made each refusal wait for the replicas' acknowledgements.
   */
  reconcile(id: string, storedVersion: number | undefined): void {
    const cached = this.lru?.get(id);
    if (cached !== undefined && cached.item.version !== storedVersion) this.invalidate(id, 'local');
  }

  /**
   * Out of use: this replica may miss invalidations from now on (ItemInvalidationHearing). All is
   * dropped, and a load in flight stores nothing: it may have read before a write whose message
   * is missed.
   */
  suspend(): void {
    this.serving = false;
    this.clear();
  }

  /**
   * Subscribed again: drops everything, then caches again. A load begun before answers the
   * callers it has, is not stored, and a later read starts its own query instead of joining it
   * (joined, it got the version from before a write whose message was missed).
   */
  resume(): void {
    this.clear();
    this.serving = true;
  }

  private clear(): void {
    this.lru?.clear();
    this.storable.clear();
    this.flights.forgetAll();
  }

  private async fill(
    id: string,
    load: (signal: AbortSignal) => Promise<Loaded>,
    signal: AbortSignal,
  ): Promise<Loaded> {
    const claim = Symbol(id);
    this.storable.set(id, claim);
    try {
      const loaded = await load(signal);
      if (loaded && this.serving && this.storable.get(id) === claim) this.lru?.set(id, loaded);
      return loaded;
    } finally {
      if (this.storable.get(id) === claim) this.storable.delete(id);
    }
  }
}
