import { createRequire } from 'node:module';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';

const log = logger.child({ module: 'redis' });

/**
 * ioredis, loaded only when REDIS_URL is set: its module graph takes ~85 ms to load (Node 24,
 * this machine), a tenth of start-up, for a dependency most deployments do not configure.
 * Through `require`, synchronously, so the constructor stays synchronous, and it is the same
 * CommonJS instance telemetry.sdk.ts requires first to have it instrumented.
 */
function loadRedis(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis }).Redis;
}

/** How often a ready connection is asked PING. */
const WATCHDOG_MS = 1_000;

/**
 * The optional Redis connection (REDIS_URL): cross-replica cache invalidation and the shared
 * rate-limit store. Fail-open by construction: commands never queue while disconnected
 * (`enableOfflineQueue: false`) and time out after REDIS_COMMAND_TIMEOUT_MS (1 s by default),
 * so an outage costs callers one fast error, never a hang; ioredis keeps reconnecting in the
 * background.
 *
 * A server that hangs (frozen, or a partition that drops packets) keeps its connection open and
 * `ready`: every command then waited out its timeout, on every rate-limited request and every
 * write's invalidation, while /readyz said `up`. A watchdog PINGs each ready connection each
 * second; no answer within the command timeout drops it and reconnects. Until the server answers
 * the reconnect's ready check the connection is not `ready`, so commands fail at once (no offline
 * queue) and readiness says `degraded`. The subscribers are watched too: a hung server kept them
 * subscribed, so no replica knew it heard no invalidations, and each served its cached copies
 * through the hang and after it until CACHE_TTL_MS (a dropped one closes, and the item cache
 * is out of use until it is subscribed again). Its warning, like the error line, is written at
 * most once per 10 s (a Redis hanging on and off would otherwise log each time).
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  /** Undefined when REDIS_URL is unset. */
  readonly client?: Redis;
  private readonly subscribers: Redis[] = [];
  private readonly errorLines = new LogThrottle();
  private readonly pingLines = new LogThrottle();
  private watchdog?: NodeJS.Timeout;
  private readyAt = 0;
  /** Connections whose PING is unanswered so far: one at a time each. */
  private readonly pinging = new Set<Redis>();
  /**
   * How long PING may take before the connection is dropped: REDIS_COMMAND_TIMEOUT_MS, ioredis's
   * `commandTimeout`, not less. A PING unanswered that long means every command is failing on
   * its timeout, which is a dead Redis for every caller. One answered in 300 ms is slow, not
   * dead: commands still get answers, and with 250 ms here (before) a Redis 150 ms away each way
   * was dropped every second: the watchdog warned each time, requests between reconnects were
   * never limited, and the commands in flight on each dropped connection were retried and waited
   * out their timeout.
   */
  private readonly pingTimeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pingTimeoutMs = config.REDIS_COMMAND_TIMEOUT_MS;
    if (!config.REDIS_URL) return;
    const RedisClient = loadRedis();
    this.client = new RedisClient(config.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      // A connection dropped (the watchdog's, a shutdown's) is closed at once, not after waiting
      // up to ioredis's default 2 s for the server to answer its FIN: a hung server never does,
      // and until the close the connection still read `ready` and the subscriber still counted
      // as listening, so other replicas served a copy of an item written meanwhile for 2 s more
      // (3.1-3.9 s after the hang began, items-cache-hang-window.e2e-spec.ts). Nothing is owed
      // on a connection being dropped: its commands failed, or are retried on the next one.
      disconnectTimeout: 0,
      // Capped backoff: reconnect quickly after a blip, at most every 2 s during an outage.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      connectionName: `${config.OTEL_SERVICE_NAME}:${config.POD_NAME ?? process.pid}`,
    });
    this.watch(this.client);
    this.client.on('ready', () => (this.readyAt = Date.now()));
  }

  /** Connected and accepting commands right now. */
  get isReady(): boolean {
    return this.client?.status === 'ready';
  }

  /** When (epoch ms) the main connection last became `ready`; 0 before it ever did. */
  get readySince(): number {
    return this.readyAt;
  }

  /** Status for readiness: `disabled`, `ready`, or ioredis's connecting/reconnecting states. */
  get status(): string {
    return this.client?.status ?? 'disabled';
  }

  /**
   * Waits up to 1 s for the first connection so a healthy start is deterministic; starts
   * anyway (degraded) when Redis is down.
   */
  async onModuleInit(): Promise<void> {
    if (!this.client) return;
    const client = this.client;
    this.watchdog = setInterval(() => {
      for (const connection of [client, ...this.subscribers]) void this.ping(connection);
    }, WATCHDOG_MS).unref();
    if (this.isReady) return;
    // Not events.once: it rejects on the first 'error', and a Redis outage must not fail start-up.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1_000);
      client.once('ready', done);
      function done() {
        clearTimeout(timer);
        client.removeListener('ready', done);
        resolve();
      }
    });
  }

  /** A dedicated connection for SUBSCRIBE (a subscribed connection cannot send commands). */
  subscriber(): Redis | undefined {
    if (!this.client) return undefined;
    const connection = this.client.duplicate({ enableOfflineQueue: true });
    this.watch(connection);
    this.subscribers.push(connection);
    return connection;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.watchdog);
    for (const connection of [...this.subscribers, this.client]) connection?.disconnect();
  }

  /** The watchdog's turn: a ready connection that does not answer PING in time is dropped. */
  private async ping(connection: Redis): Promise<void> {
    if (connection.status !== 'ready' || this.pinging.has(connection)) return;
    this.pinging.add(connection);
    const timer = setTimeout(() => {
      const line = this.pingLines.take();
      if (line) {
        log.warn(
          {
            timeoutMs: this.pingTimeoutMs,
            connection: connection === this.client ? 'commands' : 'subscriber',
            ...line,
          },
          'redis did not answer PING: reconnecting (fail-open meanwhile)',
        );
      }
      connection.disconnect(true);
    }, this.pingTimeoutMs);
    try {
      await connection.ping();
    } catch {
      // Dropped above, or already failing: the 'error' listener reports it.
    } finally {
      clearTimeout(timer);
      this.pinging.delete(connection);
    }
  }

  private watch(connection: Redis): void {
    // ioredis emits 'error' on every failed reconnect; one line per 10 s is enough to notice.
    connection.on('error', (error: Error) => {
      const line = this.errorLines.take();
      if (!line) return;
      log.warn(
        { err: error.message, status: connection.status, ...line },
        'redis unavailable (fail-open)',
      );
    });
  }
}
