import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * Owns the flags that decide readiness besides dependencies: start-up finished, draining for
 * shutdown, and an operator's manual disable (admin `POST /readyz/disable`). Dependency modules
 * (database, Redis) add their own checks with `addCheck`.
 */
@Injectable()
export class ReadinessService {
  private started = false;
  private draining = false;
  private disabledByOperator = false;
  private readonly checks: HealthIndicatorFunction[] = [];

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

  setOperatorDisabled(disabled: boolean): void {
    this.disabledByOperator = disabled;
  }

  addCheck(check: HealthIndicatorFunction): void {
    this.checks.push(check);
  }

  readinessChecks(): HealthIndicatorFunction[] {
    return [() => this.lifecycle(), ...this.checks];
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

  private startup() {
    const session = this.indicators.check('startup');
    return this.started ? session.up() : session.down({ reason: 'starting' });
  }
}
