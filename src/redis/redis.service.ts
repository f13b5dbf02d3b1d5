import { createRequire } from 'node:module';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
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

/**
 * The optional Redis connection (REDIS_URL): cross-replica cache invalidation and the shared
 * rate-limit store. Fail-open by construction: commands never queue while disconnected
 * (`enableOfflineQueue: false`) and time out after 1 s, so an outage costs callers one fast
 * error, never a hang; ioredis keeps reconnecting in the background.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  /** Undefined when REDIS_URL is unset. */
  readonly client?: Redis;
  private readonly subscribers: Redis[] = [];
  private lastErrorLog = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.REDIS_URL) return;
    const RedisClient = loadRedis();
    this.client = new RedisClient(config.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      // Capped backoff: reconnect quickly after a blip, at most every 2 s during an outage.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      connectionName: `${config.OTEL_SERVICE_NAME}:${config.POD_NAME ?? process.pid}`,
    });
    this.watch(this.client);
  }

  /** Connected and accepting commands right now. */
  get isReady(): boolean {
    return this.client?.status === 'ready';
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
    if (!this.client || this.isReady) return;
    const client = this.client;
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
    for (const connection of [...this.subscribers, this.client]) connection?.disconnect();
  }

  private watch(connection: Redis): void {
    // ioredis emits 'error' on every failed reconnect; one line per 10 s is enough to notice.
    connection.on('error', (error: Error) => {
      const now = Date.now();
      if (now - this.lastErrorLog < 10_000) return;
      this.lastErrorLog = now;
      log.warn({ err: error.message, status: connection.status }, 'redis unavailable (fail-open)');
    });
  }
}
