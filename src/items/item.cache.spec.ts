import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { ItemCache } from './item.cache.js';
import type { ItemRepresentation } from './item.types.js';

function version(n: number): ItemRepresentation {
  return { item: { version: n }, etag: `"${n}"`, body: `{"version":${n}}` } as ItemRepresentation;
}

/** A cache and a database whose reads answer when the test says (`answer`), counted. */
function setup() {
  const cache = new ItemCache(
    { maxItems: 10, ttlMs: 600_000 },
    new MetricsService({ METRICS_ENABLED: false } as AppConfig, new InFlightRegistry()),
  );
  let stored = 1;
  const pending: Array<() => void> = [];
  let queries = 0;
  const load = () => {
    queries++;
    const read = stored;
    return new Promise<ItemRepresentation>((resolve) => pending.push(() => resolve(version(read))));
  };
  const signal = () => new AbortController().signal;
  return {
    cache,
    get: () => cache.get('7', load, signal),
    write: (n: number) => (stored = n),
    answer: () => pending.splice(0).forEach((resolve) => resolve()),
    queries: () => queries,
  };
}

describe('ItemCache while it cannot hear other replicas (suspended)', () => {
  it('serves nothing it held, stores nothing it reads, and still shares one query per id', async () => {
    const db = setup();
    const first = db.get();
    db.answer();
    await first;
    db.cache.suspend();

    const reads = [db.get(), db.get()];
    expect(db.queries()).toBe(2); // the cached copy is not served; the two reads share a query
    db.answer();
    expect((await Promise.all(reads)).map((r) => r?.item.version)).toEqual([1, 1]);
    const again = db.get();
    expect(db.queries()).toBe(3); // not stored
    db.answer();
    await again;
  });

  it('does not store what a query in flight when it was suspended reads, nor after it resumes', async () => {
    const db = setup();
    const inFlight = db.get();
    db.cache.suspend();
    db.cache.resume();
    db.write(2); // another replica's write, which this one did not hear
    db.answer();
    expect((await inFlight)?.item.version).toBe(1);

    const next = db.get();
    expect(db.queries()).toBe(2);
    db.answer();
    expect((await next)?.item.version).toBe(2);
  });

  it('caches again once resumed', async () => {
    const db = setup();
    db.cache.suspend();
    db.cache.resume();
    const first = db.get();
    db.answer();
    await first;
    expect((await db.get())?.item.version).toBe(1);
    expect(db.queries()).toBe(1);
  });
});
