import pg from 'pg';
import type { AppConfig } from '../config/config.schema.js';
import { sqlState, TOO_MANY_CONNECTIONS } from './driver-error.classifier.js';
import { abandon, type BackendClient } from './pg.session.js';

/**
 * The breaker's `SELECT 1` (DatabaseDriver.probe), within `timeoutMs`, connecting included. A
 * client of its own, not the pool's: while the server hangs, every pool slot may be held by a
 * statement waiting for its DB_QUERY_TIMEOUT_MS, and the probe must not queue behind them.
 */
export async function probeServer(config: AppConfig, timeoutMs: number): Promise<void> {
  const client = new pg.Client({
    connectionString: config.DATABASE_URL,
    connectionTimeoutMillis: timeoutMs,
    application_name: `${config.DB_APPLICATION_NAME.slice(0, 57)}-probe`,
  }) as BackendClient;
  client.on('error', () => undefined);
  const timer = setTimeout(() => abandon(client), timeoutMs);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    abandon(client);
    // "Too many clients": the server answered, it has no connection slot to spare; the pool's
    // connections still work. Not a server that is down.
    if (sqlState(error) === TOO_MANY_CONNECTIONS) return;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  client.end().catch(() => undefined);
}
