import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';

const log = logger.child({ module: 'rate-limit' });

/**
 * What the rate limiter's fail-open costs, made visible. When its store (Redis) cannot answer,
 * the request goes through unlimited (rate-limit.options.ts says why). A Redis that answers
 * every command with an error keeps its connection `ready` (a read-only replica after a
 * failover: READONLY; out of memory: OOM; an ACL that denies EVAL: NOPERM), so nothing else
 * notices: each such request is counted in `http_server_rate_limit_fail_open_total`, logged at
 * most once per 10 s, and the `redis` entry of /readyz is `degraded` until the store answers again.
 */
@Injectable()
export class RateLimitFailOpen {
  private readonly passed: Counter;
  private readonly lines = new LogThrottle();
  private lastFailure?: { error: string; at: number };

  constructor(metrics: MetricsService) {
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
    const message = error instanceof Error ? error.message : String(error);
    this.lastFailure = { error: message, at: Date.now() };
    const line = this.lines.take();
    if (line) {
      log.warn(
        { err: message, ...line },
        'rate limit not enforced: its store (Redis) failed, request let through (fail-open)',
      );
    }
  }

  /** The store answered: the limit holds again. */
  answered(): void {
    if (this.lastFailure === undefined) return;
    this.lastFailure = undefined;
    log.info('rate limit enforced again: its store (Redis) answers');
  }
}
