import { logger } from '../logging/logger.js';
import type { LoopWindow } from './event-loop.monitor.js';

const log = logger.child({ module: 'admission' });

// At most one limit-change line per 10 s: under a spike the limit moves every window.
const LOG_INTERVAL_MS = 10_000;

/** What one window's limiter update saw and did (admission.window.ts). */
export interface LimitChange {
  limit: number;
  gradient: number;
  baselineMs: number;
  latencyMs: number;
  cpuSaturated: boolean;
  loop: LoopWindow;
  inFlight: number;
}

/**
 * The `concurrency limit changed` log line: at a sensible rate, with what moved the limit and the
 * refusals since the last line, so a spike reads as a few lines and not one per 100 ms window.
 */
export class LimitChangeLog {
  private lastAt = 0;
  private lastLimit: number;
  private rejectedSinceLine = 0;

  constructor(initialLimit: number) {
    this.lastLimit = initialLimit;
  }

  /** One request refused (by the limit or the loop), counted into the next line. */
  countRejection(): void {
    this.rejectedSinceLine++;
  }

  /** Logs the change when the limit moved since the last line and the interval has passed. */
  maybeLog(change: LimitChange, now: number): void {
    if (change.limit === this.lastLimit || now - this.lastAt < LOG_INTERVAL_MS) return;
    log.info(
      {
        previousLimit: this.lastLimit,
        limit: change.limit,
        // What moved it: latency against the baseline (gradient < 1 shrinks, > 1 grows),
        // held from growing while the loop is saturated.
        signal: change.gradient < 1 ? 'latency_above_baseline' : 'latency_at_baseline',
        cpuSaturated: change.cpuSaturated,
        latencyMs: round(change.latencyMs),
        loopDelayMs: round(change.loop.delayMeanMs),
        loopUtilization: round(change.loop.utilization),
        baselineMs: round(change.baselineMs),
        inFlight: change.inFlight,
        rejectedSinceLastLine: this.rejectedSinceLine,
      },
      'concurrency limit changed',
    );
    this.lastAt = now;
    this.lastLimit = change.limit;
    this.rejectedSinceLine = 0;
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;
