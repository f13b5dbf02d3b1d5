import type pg from 'pg';
import type { AppConfig } from '../config/config.schema.js';
import { sessionStartup } from './pg.startup-options.js';

/**
 * How PgDriver's `pg` pool is set up (pg.driver.ts). `Client` is the connection class it opens
 * (pg.opening.ts tracks the ones still opening). `max` is DB_POOL_MAX, as the gate's slots: the
 * gate, not the pool, queues callers, so the pool never waits for a connection.
 */
export function poolOptions(config: AppConfig, Client: typeof pg.Client): pg.PoolConfig {
  return {
    // With client_connection_check_interval: a destroyed connection's session ends on the
    // server once it sees the close (pg.startup-options.ts).
    ...sessionStartup(config.DATABASE_URL!, config.DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS),
    max: config.DB_POOL_MAX,
    idleTimeoutMillis: config.DB_IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
    // Recycling connections lets a failover or a DNS change reach every pod, and spreads
    // load again after PgBouncer/replica changes (HikariCP's maxLifetime, same reasoning).
    maxLifetimeSeconds: Math.ceil(config.DB_CONNECTION_MAX_LIFETIME_MS / 1000),
    // Server-side backstop for statements whose cancel was lost (0 = off).
    statement_timeout: config.DB_STATEMENT_TIMEOUT_MS || undefined,
    application_name: config.DB_APPLICATION_NAME,
    keepAlive: true,
    Client,
  };
}
