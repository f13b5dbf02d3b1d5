import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { logger } from '../logging/logger.js';
import { NO_CHAOS, type ChaosSettings } from './chaos.settings.js';

const log = logger.child({ module: 'chaos' });

/** What chaos does to one request. */
export interface ChaosPlan {
  delayMs: number;
  /** Fail with this status after the delay; undefined to let the request through. */
  failStatus?: number;
}

/** The current fault-injection settings of this instance: CHAOS_* at boot, admin /chaos after. */
@Injectable()
export class ChaosState {
  private current: ChaosSettings;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.current = Object.freeze({
      errorRate: config.CHAOS_ERROR_RATE,
      errorStatus: config.CHAOS_ERROR_STATUS,
      latencyMs: config.CHAOS_LATENCY_MS,
      latencyJitterMs: config.CHAOS_LATENCY_JITTER_MS,
    });
    if (isActive(this.current)) log.warn({ chaos: this.current }, 'chaos enabled by configuration');
  }

  get settings(): ChaosSettings {
    return this.current;
  }

  /** Replaces the settings (admin PUT /chaos); logged, since it breaks things on purpose. */
  set(settings: ChaosSettings, reason: string): void {
    log.warn({ chaos: settings, previous: this.current, reason }, 'chaos settings changed');
    this.current = settings;
  }

  reset(reason: string): void {
    this.set(NO_CHAOS, reason);
  }

  /** Draws the fate of one request; undefined (the common case) when chaos is off. */
  plan(random: () => number = Math.random): ChaosPlan | undefined {
    const s = this.current;
    if (!isActive(s)) return undefined;
    const delayMs = s.latencyMs + Math.floor(random() * (s.latencyJitterMs + 1));
    const fail = s.errorRate > 0 && random() < s.errorRate;
    return { delayMs, failStatus: fail ? s.errorStatus : undefined };
  }
}

function isActive(s: ChaosSettings): boolean {
  return s.errorRate > 0 || s.latencyMs > 0 || s.latencyJitterMs > 0;
}
