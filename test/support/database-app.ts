import { defaultDatabaseEnv } from './database.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * The real app on a database of its own (defaultDatabaseEnv: a fresh PostgreSQL database when
 * DATABASE_URL is set, PGlite in memory otherwise), with `env` on top. Its close() closes the
 * app, then drops the database; if the app does not start, the database is dropped at once, not
 * left behind on the shared server.
 */
export async function startTestAppWithDatabase(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await defaultDatabaseEnv();
  let t: TestApp;
  try {
    t = await startTestApp({ ...db.env, ...env });
  } catch (error) {
    await db.drop();
    throw error;
  }
  return {
    ...t,
    close: async () => {
      await t.close();
      await db.drop();
    },
  };
}
