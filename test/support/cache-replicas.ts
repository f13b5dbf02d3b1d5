import { createPostgresDatabase, REDIS_URL, type TestDatabase } from './database.js';
import { TcpProxy } from './tcp-proxy.js';
import { startTestApp, type TestApp } from './test-app.js';
import { startThrowawayRedis, type ThrowawayRedis } from './throwaway-redis.js';

/**
 * What every replica starts with besides its database and Redis: entries kept for 10 minutes
 * (CACHE_TTL_MS), so a stale copy outlives any spec and only an invalidation ends it, and 30 s
 * per request (REQUEST_TIMEOUT_MS), longer than any spec holds one.
 */
const REPLICA_ENV = { CACHE_TTL_MS: '600000', REQUEST_TIMEOUT_MS: '30000' };

export interface CacheReplicasOptions<D extends TestDatabase> {
  /** The database the replicas share; by default a fresh one on the machine's PostgreSQL. */
  database?: () => Promise<D>;
  /** 'own' (the default): a throwaway Redis of the test's own, to freeze, kill or cut; 'shared':
   * the machine's, for specs that do nothing to it. */
  redis?: 'own' | 'shared';
}

/**
 * Replicas of the service on one database and one Redis, as the item-cache specs run them: each
 * started by `replica(env)` on REPLICA_ENV, that database and that Redis, then `env`. close() (in
 * afterAll) closes the replicas, then the Redis, then drops the database.
 */
export class CacheReplicas<D extends TestDatabase = TestDatabase> {
  private readonly apps: TestApp[] = [];
  private redisProxy?: TcpProxy;

  private constructor(
    readonly db: D,
    private readonly ownRedis: ThrowawayRedis | undefined,
  ) {}

  /** Creates the database and starts the Redis; if either fails, the other is undone. */
  static async start<D extends TestDatabase = TestDatabase>(
    options: CacheReplicasOptions<D> = {},
  ): Promise<CacheReplicas<D>> {
    const database = options.database ?? (createPostgresDatabase as () => Promise<D>);
    const [db, redis] = await Promise.allSettled([
      database(),
      options.redis === 'shared' ? Promise.resolve(undefined) : startThrowawayRedis(),
    ]);
    if (db.status === 'fulfilled' && redis.status === 'fulfilled')
      return new CacheReplicas(db.value, redis.value);
    if (db.status === 'fulfilled') await db.value.drop();
    if (redis.status === 'fulfilled') await redis.value?.stop();
    throw db.status === 'rejected' ? db.reason : (redis as PromiseRejectedResult).reason;
  }

  /** The test's own Redis; only with `redis: 'own'`. */
  get redis(): ThrowawayRedis {
    if (!this.ownRedis) throw new Error('these replicas use the shared Redis');
    return this.ownRedis;
  }

  /** The Redis the replicas use, unless `env` says otherwise. */
  get redisUrl(): string {
    return this.ownRedis?.url ?? REDIS_URL;
  }

  /** A proxy in front of the test's own Redis, for replicas to reach it through and the test to
   * cut; cut again at close(). */
  async startRedisProxy(): Promise<TcpProxy> {
    this.redisProxy = new TcpProxy({
      host: '127.0.0.1',
      port: Number(new URL(this.redis.url).port),
    });
    await this.redisProxy.start();
    return this.redisProxy;
  }

  /** Starts one replica: REPLICA_ENV, the database and the Redis, then `env`. */
  async replica(env: Record<string, string> = {}): Promise<TestApp> {
    const app = await startTestApp({
      DATABASE_URL: this.db.url,
      REDIS_URL: this.redisUrl,
      ...REPLICA_ENV,
      ...env,
    });
    this.apps.push(app);
    return app;
  }

  async close(): Promise<void> {
    // A spec that failed while the Redis was frozen: the replicas' QUIT would wait on it.
    this.ownRedis?.thaw();
    await Promise.all(this.apps.map((app) => app.close()));
    await this.redisProxy?.cut();
    await this.ownRedis?.stop();
    await this.db.drop();
  }
}
