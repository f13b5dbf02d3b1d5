import { BackendServer, type BackendHandler } from './backend-server.js';
import { defaultDatabaseEnv } from './database.js';
import { startTestApp, type TestApp } from './test-app.js';

/** The upstream breaker's settings, as the breaker specs vary them. */
export interface BreakerSettings {
  /** UPSTREAM_BREAKER_THRESHOLD */
  threshold: number;
  /** UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS */
  halfOpenAfterMs: number;
  /** UPSTREAM_TIMEOUT_MS */
  timeoutMs: number;
}

/**
 * Env for an app whose one backend is `backendUrl`, behind a breaker with `settings`. Retries
 * are off (UPSTREAM_RETRY_MAX=0): each call is one attempt, so a spec counts the breaker's
 * failures, and the backend its hits, one per call.
 */
export function breakerEnv(backendUrl: string, settings: BreakerSettings): Record<string, string> {
  return {
    BACKEND_URLS: backendUrl,
    UPSTREAM_BREAKER_THRESHOLD: String(settings.threshold),
    UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: String(settings.halfOpenAfterMs),
    UPSTREAM_RETRY_MAX: '0',
    UPSTREAM_TIMEOUT_MS: String(settings.timeoutMs),
  };
}

/** A backend, and an app calling it through its breaker. */
export interface BreakerApp {
  /** Counts on its side what the app sent it; its handler may be swapped mid-test. */
  backend: BackendServer;
  t: TestApp;
  /** Closes the app, then the backend, then drops the app's database. */
  close(): Promise<void>;
}

/**
 * A backend answering with `handler`, a database of the app's own (defaultDatabaseEnv), and the
 * app in front of both, with `breakerEnv(settings)` and then `env`.
 */
export async function startBreakerApp(
  handler: BackendHandler,
  settings: BreakerSettings,
  env: Record<string, string> = {},
): Promise<BreakerApp> {
  const backend = await new BackendServer(handler).start();
  const db = await defaultDatabaseEnv();
  const t = await startTestApp({ ...db.env, ...breakerEnv(backend.url, settings), ...env });
  return {
    backend,
    t,
    close: async () => {
      await t.close();
      await backend.close();
      await db.drop();
    },
  };
}
