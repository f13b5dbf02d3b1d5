import type { AppConfig } from '../config/config.schema.js';

/** The bounds of each wait in a start-up migration attempt (schema.startup.ts), in ms. */
export interface SchemaStartupBounds {
  /** The wait for a connection. */
  connectMs: number;
  /** Each short statement, and each turn of the wait for another replica's lock. */
  queryMs: number;
  /** Each migration's own SQL, which may run long on a live server. */
  migrationMs: number;
}

/** Which knob bounds each wait. */
export function schemaStartupBounds(config: AppConfig): SchemaStartupBounds {
  return {
    connectMs: config.DB_CONNECT_TIMEOUT_MS,
    queryMs: config.DB_QUERY_TIMEOUT_MS,
    migrationMs: config.DB_MIGRATION_TIMEOUT_MS,
  };
}
