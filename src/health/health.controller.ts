import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ReadinessService } from './readiness.service.js';

/** Kubelet probes on the public port (the kubelet reaches the pod IP, not the admin port's
 * NetworkPolicy-guarded range). Failures answer 503 problem+json with the check details. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessService,
  ) {}

  /** Liveness probe: no I/O, answers while the event loop turns. A failing dependency must not
   * get the pod restarted, so nothing here looks outside the process. */
  @Get('healthz')
  @HealthCheck()
  liveness() {
    return this.health.check([]);
  }

  /** Readiness probe: lifecycle flags (starting, draining, operator disable) and dependencies. */
  @Get('readyz')
  @HealthCheck()
  readinessProbe() {
    return this.health.check(this.readiness.readinessChecks());
  }

  /** Startup probe: 200 once boot finished (migrations run, listeners open). */
  @Get('startupz')
  @HealthCheck()
  startup() {
    return this.health.check(this.readiness.startupChecks());
  }
}
