import { z } from 'zod';
import { int, optionalString, url } from './config.fields.js';

/** PostgreSQL pool, embedded fallback, cache and Redis knobs (data path). */
export const databaseConfigShape = {
  // Unset → embedded PGlite (in memory, or under DATA_DIR), so `npm start` needs no server.
  DATABASE_URL: optionalString().pipe(url(['postgres:', 'postgresql:']).optional()),
  DATA_DIR: optionalString(),
  DB_POOL_MAX: int(1, 1_000).default(10),
  DB_POOL_ACQUIRE_TIMEOUT_MS: int(1, 600_000).default(2_000),
  DB_IDLE_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  DB_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(10_000),
  DB_CONNECTION_MAX_LIFETIME_MS: int(0, 86_400_000).default(1_800_000),
  // Opening a new server connection; past it the request gets DB_UNAVAILABLE, not a hang.
  DB_CONNECT_TIMEOUT_MS: int(1, 600_000).default(2_000),
  // /readyz database ping budget: well under the probe's timeoutSeconds (k8s default 1 s).
  DB_HEALTH_TIMEOUT_MS: int(1, 60_000).default(800),
  // Shown in pg_stat_activity.application_name, so operators (and tests) can tell pods apart.
  DB_APPLICATION_NAME: z.string().min(1).max(63).default('rampart'),
  REDIS_URL: optionalString().pipe(url(['redis:', 'rediss:']).optional()),
  RATE_LIMIT_PER_MINUTE: int(0, 10_000_000).default(0),
  CACHE_MAX_ITEMS: int(0, 10_000_000).default(10_000),
  CACHE_TTL_MS: int(0, 86_400_000).default(30_000),
  // How long an Idempotency-Key replays its item; older keys are deleted (items/idempotency-key
  // .sweeper.ts). A day, like the common API convention: longer than any client's retry window.
  IDEMPOTENCY_KEY_TTL_MS: int(60_000, 31_536_000_000).default(86_400_000),
};
