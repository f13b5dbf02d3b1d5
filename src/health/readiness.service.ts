import { Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { logger } from '../logging/logger.js';

const log = logger.child({ module: 'health' });

/**
 * Owns what decides readiness — what taking *this* pod out of rotation would fix: start-up
 * finished, draining for shutdown, an operator's manual disable (admin `POST /readyz/disable`),
 * and whatever checks other modules add with `addCheck` (an event loop that cannot answer).
 * Shared dependencies (database, Redis) add checks that report their state without failing
 * readiness (`degraded`): see database.health.ts.
 *
 * Probes come every few seconds from every kubelet; a failure is logged once when readiness
 * changes (warn, with the reasons, no stack) and recovery once (info), not once per probe.
 */
@Injectable()
export class ReadinessService {
  private started = false;
  private draining = false;
  private disabledByOperator = false;
  private readonly checks: HealthIndicatorFunction[] = [];
  /** Last reason each failing check gave; a check absent here was up at its last run. */
  private readonly failing = new Map<string, unknown>();
  private wasReady = false;
  private answeredReady = false;

  constructor(private readonly indicators: HealthIndicatorService) {}

  markStarted(): void {
    this.started = true;
  }

  /** Step 1 of shutdown: from now on /readyz answers 503 so endpoints drop this pod. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Whether /readyz ever answered 200: someone (a kubelet, a load balancer) may route by it. */
  get hasAnsweredReady(): boolean {
    return this.answeredReady;
  }

  setOperatorDisabled(disabled: boolean): void {
    this.disabledByOperator = disabled;
  }

  addCheck(check: HealthIndicatorFunction): void {
    this.checks.push(check);
  }

  readinessChecks(): HealthIndicatorFunction[] {
    return [() => this.lifecycle(), ...this.checks].map((check) => () => this.observed(check));
  }

  /**
   * What the readiness checks say now, for the admin status page: run as /readyz runs them, but
   * nothing is recorded (a look at the page is no probe: it must not log a readiness change, nor
   * count as /readyz having answered ready). A check that throws gives the result it carries.
   */
  async currentChecks(): Promise<HealthIndicatorResult> {
    const results = await Promise.all(
      [() => this.lifecycle(), ...this.checks].map(async (check) => {
        try {
          return await (typeof check === 'function' ? check() : check);
        } catch (error) {
          return (error as { causes?: HealthIndicatorResult }).causes ?? {};
        }
      }),
    );
    return Object.assign({}, ...results) as HealthIndicatorResult;
  }

  startupChecks(): HealthIndicatorFunction[] {
    return [() => this.startup()];
  }

  private lifecycle() {
    const session = this.indicators.check('lifecycle');
    if (!this.started) return session.down({ reason: 'starting' });
    if (this.draining) return session.down({ reason: 'draining' });
    if (this.disabledByOperator) return session.down({ reason: 'disabled by operator' });
    return session.up();
  }

  /** Runs one check and logs when the pod's readiness changes because of it. */
  private async observed(check: HealthIndicatorFunction): Promise<HealthIndicatorResult> {
    let result: HealthIndicatorResult;
    try {
      // An attempt builder (`check('x').attempt(fn)`) is itself awaitable, called or not.
      result = await (typeof check === 'function' ? check() : check);
    } catch (error) {
      // Old-style indicators throw a HealthCheckError carrying their result as `causes`.
      const causes = (error as { causes?: HealthIndicatorResult }).causes;
      if (causes) this.record(causes);
      throw error;
    }
    this.record(result);
    return result;
  }

  private record(result: HealthIndicatorResult): void {
    for (const [name, { status, ...detail }] of Object.entries(result)) {
      if (status === 'down') this.failing.set(name, detail.reason ?? detail);
      else this.failing.delete(name);
    }
    const ready = this.failing.size === 0;
    if (ready) this.answeredReady = true;
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    if (ready) log.info('ready: in rotation');
    else if (this.started || this.failing.size > 1 || !this.failing.has('lifecycle')) {
      // Not logged while merely starting: every pod starts, that is no news.
      log.warn({ failing: Object.fromEntries(this.failing) }, 'not ready: out of rotation');
    }
  }

  private startup() {
    const session = this.indicators.check('startup');
    return this.started ? session.up() : session.down({ reason: 'starting' });
  }
}
