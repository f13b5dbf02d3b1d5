import { createPostgresDatabase, PostgresProxy, type TestDatabase } from './database.js';

/**
 * A fresh database on the machine's PostgreSQL (createPostgresDatabase) that the app reaches only
 * through a PostgresProxy of the test's own: cutting the proxy is a real socket failure for the
 * app, while the shared server, which other suites use, keeps running.
 */
export interface ProxiedDatabase extends TestDatabase {
  /** What the app's connections pass through: cut, restore, stall or freeze it. */
  proxy: PostgresProxy;
  /** The app's DATABASE_URL: this database through the proxy (`url` goes straight to the
   * server, for the test's own sessions). */
  proxiedUrl: string;
  /** Cuts the proxy (if it still passes anything), then drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates the database and starts its proxy; with `away`, cuts it before returning, so that the
 * server is away when the app starts. Call drop() in afterAll (or afterEach).
 */
export async function createProxiedDatabase({ away = false } = {}): Promise<ProxiedDatabase> {
  const db = await createPostgresDatabase();
  const proxy = new PostgresProxy();
  try {
    await proxy.start();
    if (away) await proxy.cut();
  } catch (error) {
    await db.drop();
    throw error;
  }
  return {
    ...db,
    proxy,
    proxiedUrl: proxy.urlFor(db.name),
    drop: async () => {
      await proxy.cut().catch(() => undefined);
      await db.drop();
    },
  };
}
