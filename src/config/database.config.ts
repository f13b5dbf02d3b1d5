import { bool, int, optionalString, text, url } from './config.fields.js';
import { redisUrl } from './redis-url.field.js';
import { redisKeyPrefix } from './redis-key-prefix.field.js';

/** PostgreSQL pool, embedded fallback, cache and Redis knobs (data path). */
export const databaseConfigShape = {
  // Unset → embedded PGlite (in memory, or under DATA_DIR), so `npm start` needs no server.
  DATABASE_URL: optionalString().pipe(url(['postgres:', 'postgresql:']).optional()),
  DATA_DIR: optionalString(),
  DB_POOL_MAX: int(1, 1_000).default(10),
  // The cap on a wait for a connection; the request's remaining deadline lowers it
  // (database/connection.gate.ts).
  DB_POOL_ACQUIRE_TIMEOUT_MS: int(1, 600_000).default(2_000),
  // Callers that may wait for a connection at once; more are refused (DB_QUEUE_FULL). Past
  // cap × throughput a longer queue only holds requests that will time out anyway.
  DB_POOL_QUEUE_MAX: int(0, 1_000_000).default(1_000),
  // CoDel interval and target ("Fail at Scale", ACM Queue 2015: 100 ms and 5 ms there): a
  // queue not empty for the interval serves LIFO and lets new callers wait only the target, two
  // holds as long as they take now (database/connection.gate.ts). This is its cap: a connection
  // is held for ms to tens of ms (a hot-row update waits for the lock and a WAL flush), and a
  // fixed 5 ms would refuse such callers one hold from service.
  DB_POOL_QUEUE_INTERVAL_MS: int(1, 60_000).default(100),
  DB_POOL_QUEUE_TARGET_MS: int(1, 60_000).default(50),
  // 0 = never, for both (pg-pool's meaning of 0); docs/configuration.md says what it costs.
  DB_IDLE_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  DB_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(5_000),
  // Client side: a statement without an answer this long means the server stopped answering
  // (frozen, partitioned); its connection is destroyed. Keep it above DB_STATEMENT_TIMEOUT_MS
  // so a live server's own timeout answers first (clean error, connection kept); 0 = none.
  DB_QUERY_TIMEOUT_MS: int(0, 3_600_000).default(6_000),
  // Client side, for each migration's own SQL at start-up (the rest of a start-up attempt has
  // DB_QUERY_TIMEOUT_MS): a migration may run long on a live server, but one on a server that
  // stopped answering must end so the attempt is retried (database/schema.startup.ts). Five
  // minutes: an index build on the tables this service keeps; raise it before a longer one.
  // 0 = none.
  DB_MIGRATION_TIMEOUT_MS: int(0, 3_600_000).default(300_000),
  // Consecutive unavailable/timed-out calls that open the database breaker (fast 503
  // DB_CIRCUIT_OPEN); a background `SELECT 1` every DB_BREAKER_PROBE_INTERVAL_MS closes it.
  DB_BREAKER_THRESHOLD: int(1, 1_000).default(3),
  DB_BREAKER_PROBE_INTERVAL_MS: int(50, 60_000).default(1_000),
  DB_CONNECTION_MAX_LIFETIME_MS: int(0, 86_400_000).default(1_800_000),
  // Opening a new server connection; past it the request gets DB_UNAVAILABLE, not a hang.
  DB_CONNECT_TIMEOUT_MS: int(1, 600_000).default(2_000),
  // Budget of the breaker's background `SELECT 1`, connecting included: a server that has not
  // answered a trivial query in this long is not back yet. Also the grace the server has to act
  // on a cancel (a request's statement, a start-up migration's at shutdown) before the connection
  // is destroyed (database/pg.abort.ts; why this knob: database/schema.startup-bounds.ts).
  DB_HEALTH_TIMEOUT_MS: int(1, 60_000).default(800),
  // Sent as each pool connection's client_connection_check_interval (PostgreSQL 14+): while a
  // statement runs, its backend checks this often whether the connection is still there, so the
  // session of a connection the pool destroyed ends, its locks and slot freed, once the server
  // sees the close, not when the statement ends by itself (database/pg.startup-options.ts). One
  // poll() a second per running statement costs nothing measurable. 0 = not sent (the server's
  // own setting applies): for a server before 14, which refuses the connection for it.
  DB_CLIENT_CONNECTION_CHECK_INTERVAL_MS: int(0, 3_600_000).default(1_000),
  // Off: PostgreSQL is shared by every pod, so failing readiness on it takes them all out of
  // the Service at once (connection refused for every route) instead of fast 503s on the
  // routes that need it. On: /readyz fails while the database breaker is open.
  READINESS_INCLUDES_DATABASE: bool().default(false),
  // Shown in pg_stat_activity.application_name, so operators (and tests) can tell pods apart.
  // PostgreSQL keeps printable ASCII only and shows any other byte as `?` (`rampart-é` was
  // `rampart-??`), and cuts it at 63 bytes (NAMEDATALEN - 1): an ASCII character is one byte.
  DB_APPLICATION_NAME: text()
    .max(63)
    .regex(/^[\x20-\x7e]*$/, 'expected printable ASCII (PostgreSQL shows any other character as ?)')
    .default('rampart'),
  REDIS_URL: optionalString().pipe(redisUrl().optional()),
  REDIS_KEY_PREFIX: redisKeyPrefix(),
  // The longest a caller waits on one Redis command, and how long the watchdog's PING may take
  // before the connection is dropped (redis/redis.service.ts). Past it the caller fails open.
  // 1 s is ~1,000 round trips in one zone; raise it for a Redis far away (each rate-limited
  // request waits one round trip), since a round trip near it fails open on a busy node.
  REDIS_COMMAND_TIMEOUT_MS: int(50, 60_000).default(1_000),
  RATE_LIMIT_PER_MINUTE: int(0, 10_000_000).default(0),
  // lru-cache sizes its arrays from this at construction, full or not: ~43 B a slot measured
  // (Node 24, lru-cache 11, with a TTL), so 100,000 costs ~4 MB of heap up front, 1,000,000
  // ~42 MB and the old cap of 10,000,000 ~420 MB (RSS 469 MB idle, against the pod's 512 Mi).
  // Filled, an entry of a small item costs ~620 B more: ~63 MB at this cap, which still fits.
  // 0 = no cache, no coalescing.
  CACHE_MAX_ITEMS: int(0, 100_000).default(10_000),
  // The staleness bound for a write whose invalidation Redis never took while other replicas
  // still listened (one that cannot hear serves no cached copy). At least 1: 0 turned the cache
  // off without a word, where lru-cache and the other 0-valued timeouts here read 0 as "none"
  // (never expire); CACHE_MAX_ITEMS=0 is the one way to turn the cache off.
  CACHE_TTL_MS: int(1, 86_400_000).default(30_000),
  // How long an Idempotency-Key replays its item; older keys are deleted (items/idempotency-key
  // .sweeper.ts). A day, like the common API convention: longer than any client's retry window.
  IDEMPOTENCY_KEY_TTL_MS: int(60_000, 31_536_000_000).default(86_400_000),
  // Most concurrent increments of one counter a replica sends as one statement (1 = one statement
  // per increment). Bounds what one failed statement fails; ≤ 100,000 keeps every answer of a
  // batch provably in the safe integer range (counters/increment.answers.ts).
  COUNTER_BATCH_MAX: int(1, 100_000).default(1_000),
};
