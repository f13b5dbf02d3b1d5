import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { performance } from 'node:perf_hooks';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ReadinessService } from '../health/readiness.service.js';
import { AdmissionService } from './admission.service.js';

// Two readiness periods (k8s/base/deployment.yaml: periodSeconds 5): a GC storm or one slow
// request does not take the pod out; a loop that stays this slow does.
const SUSTAINED_MS = 10_000;

/**
 * The `event_loop` entry of /readyz: down once the loop's delay stayed above
 * READINESS_MAX_EVENT_LOOP_DELAY_MS for 10 s. That is this pod's own trouble (a CPU-bound
 * request, a leak making GC thrash), so taking it out of rotation helps: unlike a shared
 * dependency, other pods do not have it. Load alone should not get here: admission keeps the
 * loop's queue bounded well below this.
 */
@Injectable()
export class EventLoopHealth implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
    private readonly indicators: HealthIndicatorService,
    private readonly admission: AdmissionService,
  ) {}

  onModuleInit(): void {
    if (this.config.READINESS_MAX_EVENT_LOOP_DELAY_MS === 0) return;
    this.readiness.addCheck(() => {
      const session = this.indicators.check('event_loop');
      const details = {
        delayMs: Math.round(this.admission.loop.last.delayMaxMs),
        utilization: Math.round(this.admission.loop.last.utilization * 100) / 100,
      };
      const since = this.admission.loop.slowSince;
      return since !== undefined && performance.now() - since >= SUSTAINED_MS
        ? session.down({ ...details, reason: 'event loop delay sustained over the limit' })
        : session.up(details);
    });
  }
}
