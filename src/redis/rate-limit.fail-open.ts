import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RedisNames } from './redis.names.js';
import { RedisService } from './redis.service.js';

const log = logger.child({ module: 'rate-limit' });

/** How often a failing store is asked again by the pod itself (the watchdog's PING period). */
const RECHECK_MS = 1_000;
/**
 * What the limiter's own script does (@fastify/rate-limit's RedisStore: EVAL of INCR and PEXPIRE
 * on a key under its namespace), on a key no client address can take. Not PING: a read-only
 * replica, an out-of-memory Redis or an ACL denying EVAL answers PING and still refuses the
 * limiter; and a PING answered proves nothing the limiter needs.
 */
const RECHECK_SCRIPT = "redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1])";
const RECHECK_KEY_TTL_MS = 60_000;

/**
 * What the rate limiter's fail-open costs, made visible. When its store (Redis) cannot answer,
 * the request goes through unlimited (rate-limit.options.ts says why). A Redis that answers
 * every command with an error keeps its connection `ready` (a read-only replica after a
 * failover: READONLY; out of memory: OOM; an ACL that denies EVAL: NOPERM), so nothing else
 * notices: each such request is counted in `http_server_rate_limit_fail_open_total`, logged at
 * most once per 10 s, and the `redis` entry of /readyz is `degraded` until the store answers again.
 *
 * "Answers again" is not left to the next rate-limited request: with no traffic (a pod out of
 * rotation, a quiet night) the entry stayed `degraded` long after Redis was back (a Redis frozen
 * for a second, thawed before the watchdog dropped its connection, read `degraded` for good).
 * While failing, the pod asks the store itself each second (RECHECK_SCRIPT); its answer ends the
 * failure as a request's would, and its error keeps the failure current, so a reconnect to a
 * store still refusing (a replica) reads `degraded` again within a second (redis.health.ts
 * ignores failures from before the latest reconnect). The timer runs only while failing.
 */
@Injectable()
export class RateLimitFailOpen implements OnApplicationShutdown {
  private readonly passed: Counter;
  private readonly lines = new LogThrottle();
  private lastFailure?: { error: string; at: number };
  private recheck?: NodeJS.Timeout;
  private rechecking = false;

  constructor(
    metrics: MetricsService,
    private readonly redis: RedisService,
    private readonly names: RedisNames,
  ) {
    this.passed = metrics.counter({
      name: 'http_server_rate_limit_fail_open_total',
      help: 'Requests let through without a rate-limit check because the limit store (Redis) failed',
    });
  }

  /**
   * The store's last error and when (epoch ms), while it is still failing; undefined once it
   * answers again.
   */
  get failing(): { error: string; at: number } | undefined {
    return this.lastFailure;
  }

  /** One request goes through unlimited: the store failed with `error`. */
  failedOpen(error: unknown): void {
    this.passed.inc();
    const message = this.failed(error);
    const line = this.lines.take();
    if (line) {
      log.warn(
        { err: message, ...line },
        'rate limit not enforced: its store (Redis) failed, request let through (fail-open)',
      );
    }
  }

  /** The store answered (a request's check, or the pod's own recheck): the limit holds again. */
  answered(): void {
    if (this.lastFailure === undefined) return;
    this.lastFailure = undefined;
    clearInterval(this.recheck);
    this.recheck = undefined;
    log.info('rate limit enforced again: its store (Redis) answers');
  }

  onApplicationShutdown(): void {
    clearInterval(this.recheck);
    this.recheck = undefined;
  }

  private failed(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    this.lastFailure = { error: message, at: Date.now() };
    // Unreferenced: a pending recheck never keeps the process alive.
    this.recheck ??= setInterval(() => void this.askStore(), RECHECK_MS).unref();
    return message;
  }

  /**
   * The recheck's turn. Skipped while the connection is not ready: readiness already says
   * `degraded` for that, and a command would only fail at once (no offline queue). No request
   * went through unlimited, so nothing is counted, and its errors are not logged: the failure's
   * line was written, and the readiness entry carries the latest error.
   */
  private async askStore(): Promise<void> {
    const client = this.redis.client;
    if (!client || !this.redis.isReady || this.rechecking) return;
    this.rechecking = true;
    try {
      await client.eval(RECHECK_SCRIPT, 1, this.names.rateLimitRecheck, RECHECK_KEY_TTL_MS);
      this.answered();
    } catch (error) {
      if (this.lastFailure) this.failed(error);
    } finally {
      this.rechecking = false;
    }
  }
}
