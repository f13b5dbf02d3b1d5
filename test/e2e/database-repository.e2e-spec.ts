import { CounterOutOfRangeError } from '../../src/counters/counters.errors.js';
import { CountersRepository } from '../../src/counters/counters.repository.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { SqlSession } from '../../src/database/database.driver.js';
import { DatabaseService } from '../../src/database/database.service.js';
import { MIGRATIONS } from '../../src/database/database.migrations.js';
import { migrate } from '../../src/database/database.migrator.js';
import { PgDriver } from '../../src/database/pg.driver.js';
import { ItemsRepository } from '../../src/items/items.repository.js';
import { createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { startTestApp, TEST_ENV, type TestApp } from '../support/test-app.js';

const NEVER = new AbortController().signal;

/**
 * The one repository implementation, run against both drivers: whatever passes on PGlite (the
 * default for `npm start` and local tests) must pass on PostgreSQL 15 (production), and back.
 */
describe.each([
  ['PGlite (embedded)', false],
  ['PostgreSQL 15 (pg pool)', true],
])('repositories on %s', (_label, real) => {
  let server: TestDatabase | undefined;
  let app: TestApp;
  let db: DatabaseService;
  let items: ItemsRepository;
  let counters: CountersRepository;

  beforeAll(async () => {
    server = real ? await createPostgresDatabase() : undefined;
    // The real container: the repositories exactly as the app wires them.
    // 50 increments of one row at once queue behind its lock; the subject here is atomicity, not
    // how the pool sheds a standing queue (database-deadline.e2e-spec.ts), so the queue never
    // stands (an interval longer than the test) and waiters get time.
    const patient = { DB_POOL_QUEUE_INTERVAL_MS: '60000' };
    app = await startTestApp(server ? { ...patient, DATABASE_URL: server.url } : patient);
    db = app.app.get(DatabaseService);
    items = app.app.get(ItemsRepository, { strict: false });
    counters = app.app.get(CountersRepository, { strict: false });
  });
  afterAll(async () => {
    await app?.close();
    await server?.drop();
  });

  it('runs the driver it was asked for', () => {
    expect(db.kind).toBe(real ? 'postgres' : 'pglite');
  });

  it('creates and reads an item with the same types on both drivers', async () => {
    const created = await items.create({ name: 'n', description: 'd', tags: ['a', 'b'] });
    expect(created).toEqual({
      id: expect.stringMatching(/^[1-9]\d*$/),
      name: 'n',
      description: 'd',
      tags: ['a', 'b'],
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      updatedAt: created.createdAt,
    });
    expect(await items.findById(created.id)).toEqual(created);
    expect(await items.findById('9223372036854775807')).toBeUndefined();
  });

  it('lists in id order after a given id', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await items.create({ name: `l${i}` })).id);
    const page = await items.list(ids[1], 2);
    expect(page.map((i) => i.id)).toEqual([ids[2], ids[3]]);
  });

  it('updates only at the expected version, and tells conflict from missing', async () => {
    const item = await items.create({ name: 'before', description: 'keep' });
    expect(await items.update(item.id, [1], { name: 'after' })).toEqual({
      item: expect.objectContaining({ name: 'after', description: 'keep', version: 2 }),
    });
    expect(await items.update(item.id, [1], { name: 'lost' })).toEqual({ conflict: 2 });
    expect(await items.update(item.id, [], { name: 'none' })).toEqual({ conflict: 2 });
    expect(await items.update('987654321', [1], { name: 'x' })).toEqual({ missing: true });
    expect(await items.update(item.id, 'any', { tags: ['t'] })).toEqual({
      item: expect.objectContaining({ name: 'after', tags: ['t'], version: 3 }),
    });
  });

  it('deletes only at the expected version', async () => {
    const item = await items.create({ name: 'gone' });
    expect(await items.delete(item.id, [5])).toEqual({ conflict: 1 });
    // Any listed version may match (If-Match: "x.5", "x.1").
    expect(await items.delete(item.id, [5, 1])).toEqual({ deleted: true });
    expect(await items.delete(item.id, 'any')).toEqual({ missing: true });
  });

  it('claims an idempotency key once; a different body under the same key is refused', async () => {
    const first = await items.createIdempotent({ name: 'once' }, 'k-1', 'fp-1');
    const again = await items.createIdempotent({ name: 'once' }, 'k-1', 'fp-1');
    expect(first).toEqual({ item: expect.objectContaining({ name: 'once' }), replayed: false });
    expect(again).toEqual({ item: (first as { item: unknown }).item, replayed: true });
    expect(await items.createIdempotent({ name: 'other' }, 'k-1', 'fp-2')).toEqual({
      reused: true,
    });
  });

  it('deleting an item keeps its idempotency key: a retry replays, nothing is created again', async () => {
    const first = (await items.createIdempotent({ name: 'x' }, 'k-2', 'fp')) as {
      item: { id: string; createdAt: string };
    };
    await items.delete(first.item.id, 'any');
    const second = await items.createIdempotent({ name: 'x' }, 'k-2', 'fp');
    expect(second).toEqual({ item: first.item, replayed: true });
    expect(await items.findById(first.item.id)).toBeUndefined();
  });

  it('increments counters atomically from zero and rejects leaving the safe range', async () => {
    expect(await counters.get('c')).toBe(0);
    const values = await Promise.all(Array.from({ length: 50 }, () => counters.increment('c', 2)));
    expect(values.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * (i + 1)));
    expect(await counters.get('c')).toBe(100);
    await counters.increment('edge', Number.MAX_SAFE_INTEGER);
    await expect(counters.increment('edge', 1)).rejects.toBeInstanceOf(CounterOutOfRangeError);
    expect(await counters.get('edge')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rolls a transaction back when its callback throws', async () => {
    await expect(
      db.transaction('test.rollback', async (tx) => {
        await tx.query(`INSERT INTO counters (name, value) VALUES ('rolled', 1)`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await counters.get('rolled')).toBe(0);
  });

  it('migrations are recorded and a second run applies nothing', async () => {
    const { rows } = await db.query<{ version: number }>(
      'test.versions',
      'SELECT version FROM schema_migrations',
    );
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });
});

describe('migrations under the advisory lock (PostgreSQL)', () => {
  it('six replicas migrating one fresh database at once: none fails, each migration applied once', async () => {
    const server = await createPostgresDatabase();
    const config = loadConfig({ ...TEST_ENV, DATABASE_URL: server.url, DB_POOL_MAX: '1' });
    const drivers = Array.from({ length: 6 }, () => new PgDriver(config));
    try {
      const applied = await Promise.all(
        drivers.map((d) =>
          d.run((s) => migrate(s, MIGRATIONS), { signal: NEVER, acquireTimeoutMs: 10_000 }),
        ),
      );
      expect(applied.flat()).toEqual(MIGRATIONS.map((m) => m.version));
      const again = await drivers[0]?.run((s) => migrate(s, MIGRATIONS), {
        signal: NEVER,
        acquireTimeoutMs: 1_000,
      });
      expect(again).toEqual([]);
    } finally {
      await Promise.all(drivers.map((d) => d.close()));
      await server.drop();
    }
  });

  it('the migrating session asks the server to drop it within ~30 s of silence (a partitioned pod frees the lock), then returns to the pool as it was', async () => {
    const server = await createPostgresDatabase();
    const config = loadConfig({ ...TEST_ENV, DATABASE_URL: server.url, DB_POOL_MAX: '1' });
    const driver = new PgDriver(config);
    const SETTINGS = `SELECT current_setting('tcp_keepalives_idle') AS idle,
      current_setting('tcp_keepalives_interval') AS interval,
      current_setting('tcp_keepalives_count') AS count,
      current_setting('tcp_user_timeout') AS user_timeout`;
    const probe = {
      version: 1,
      name: 'record the session',
      sql: `CREATE TABLE seen AS ${SETTINGS}`,
    };
    const run = <T>(fn: (session: SqlSession) => Promise<T>) =>
      driver.run(fn, { signal: NEVER, acquireTimeoutMs: 5_000 });
    try {
      const before = await run((s) => s.query(SETTINGS));
      await run((s) => migrate(s, [probe]));
      const during = await run((s) => s.query('SELECT * FROM seen'));
      expect(during.rows).toEqual([
        { idle: '10', interval: '5', count: '3', user_timeout: '30000' },
      ]);
      // DB_POOL_MAX=1: the same connection, back at its defaults for the requests that follow.
      expect((await run((s) => s.query(SETTINGS))).rows).toEqual(before.rows);
    } finally {
      await driver.close();
      await server.drop();
    }
  });
});
