import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { LivenessFailedError } from './health.errors.js';
import { ProbeServer } from './probe.server.js';
import { ApiContract } from '../openapi/contract.decorator.js';
import { healthContracts } from './health.contract.js';
import { ReadinessService } from './readiness.service.js';

/** The probe routes on the public port, for callers and tests that look there. The kubelet
 * probes the same checks on PROBE_PORT (probe.server.ts), which load on this port cannot block.
 * Failures answer 503 problem+json with the check details. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessService,
    private readonly probes: ProbeServer,
  ) {}

  /** Liveness probe: no I/O, answers while the event loop turns. A failing dependency must not
   * get the pod restarted, so nothing here looks outside the process; only an operator's
   * injected failure (ProbeServer.setLivenessFailure) fails it. */
  @Get('healthz')
  @HealthCheck()
  @ApiContract(healthContracts.liveness)
  liveness() {
    const failure = this.probes.livenessFailure;
    if (failure !== undefined) throw new LivenessFailedError(failure);
    return this.health.check([]);
  }

  /** Readiness probe: lifecycle flags (starting, draining, operator disable) and dependencies. */
  @Get('readyz')
  @HealthCheck()
  @ApiContract(healthContracts.readiness)
  readinessProbe() {
    return this.health.check(this.readiness.readinessChecks());
  }

  /** Startup probe: 200 once boot finished (migrations run, listeners open). */
  @Get('startupz')
  @HealthCheck()
  @ApiContract(healthContracts.startup)
  startup() {
    return this.health.check(this.readiness.startupChecks());
  }
}
