import { startTestApp, type TestApp } from './test-app.js';
import { ThrowawayPostgres } from './throwaway-postgres.js';

/** A throwaway PostgreSQL and an app on it. */
export interface ThrowawayApp {
  /** The test's own server, to freeze, stop or fill. */
  server: ThrowawayPostgres;
  t: TestApp;
  /** Closes the app, then destroys the server. */
  close(): Promise<void>;
}

/**
 * A throwaway PostgreSQL (throwaway-postgres.ts) and an app on it, as the database fault specs
 * use them: a pool of four (DB_POOL_MAX) and no item cache (CACHE_MAX_ITEMS=0), so that every
 * request reaches the server; then `env`. `prepare` runs on the server before the app starts
 * (a setting that needs a restart). If the app does not start, the server is destroyed.
 */
export async function startOnThrowawayPostgres(
  env: Record<string, string> = {},
  prepare?: (server: ThrowawayPostgres) => Promise<void>,
): Promise<ThrowawayApp> {
  const server = await ThrowawayPostgres.create();
  let t: TestApp;
  try {
    await prepare?.(server);
    t = await startTestApp({
      DATABASE_URL: server.url(),
      DB_POOL_MAX: '4',
      CACHE_MAX_ITEMS: '0',
      ...env,
    });
  } catch (error) {
    await server.destroy();
    throw error;
  }
  return {
    server,
    t,
    close: async () => {
      await t.close();
      await server.destroy();
    },
  };
}
