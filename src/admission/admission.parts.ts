import type { AppConfig } from '../config/config.schema.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { AdmissionMetrics } from './admission.metrics.js';
import { AdmissionQueue } from './admission.queue.js';
import type { GateWaiter } from './admission.verdict.js';
import { AdmissionWindow } from './admission.window.js';
import { ConcurrencyLimiter } from './concurrency.limiter.js';
import { LatencyWindow } from './latency.window.js';
import { LimitChangeLog } from './limit-change.log.js';
import { ListenerHold } from './listener.hold.js';
import { LoopWatch } from './loop.watch.js';

// "Fail at Scale": a queue not empty for 100 ms is standing; then waits are cut to 5 ms. Here
// standing means not shrinking over ADMISSION_QUEUE_STANDING_MS, 250 ms by default
// (admission.queue.ts, config/http.config.ts): sustained overload meets a standing queue
// within ~0.5 s.
const STANDING_MAX_WAIT_MS = 5;

/** What the parts read from, and hand back to, the gate that owns the request counts. */
export interface GateCounts {
  /** Requests admitted and holding a slot now. */
  inFlight: () => number;
  /** Admitted requests parked on shared work, their slots lent out. */
  parked: () => number;
  /** Whether the overload is sustained (a standing queue, or the loop lagging for windows). */
  sustainedAt: (now: number) => boolean;
  /** Admits waiters while slots are free. */
  drain: (now: number) => void;
}

/**
 * The parts admission is made of, each in its own file: the gate decides with them per request
 * (admission.gate.ts); admission.service.ts attaches, starts and stops the listener hold, the
 * loop's monitor and the window.
 */
export interface AdmissionParts {
  limiter: ConcurrencyLimiter;
  latencies: LatencyWindow;
  changes: LimitChangeLog;
  loop: LoopWatch;
  hold: ListenerHold;
  queue: AdmissionQueue<GateWaiter>;
  metrics: AdmissionMetrics;
  window: AdmissionWindow;
}

/**
 * Builds admission's parts from the configuration and wires them to each other and to the
 * gate's counts, once per app (admission.service.ts). Apart from the gate so that
 * admission.gate.ts reads as what it decides per request; the gate keeps each part in a field
 * of its own, so the request path reads them directly.
 */
export function buildAdmissionParts(
  config: AppConfig,
  metrics: MetricsService,
  gate: GateCounts,
): AdmissionParts {
  const latencies = new LatencyWindow();
  const limiter = new ConcurrencyLimiter({
    minLimit: config.ADMISSION_MIN_LIMIT,
    maxLimit: Math.max(config.ADMISSION_MIN_LIMIT, config.ADMISSION_MAX_LIMIT),
    initialLimit: config.ADMISSION_INITIAL_LIMIT,
  });
  const changes = new LimitChangeLog(limiter.limit);
  const loop = new LoopWatch(
    config.EVENT_LOOP_MAX_DELAY_MS,
    config.READINESS_MAX_EVENT_LOOP_DELAY_MS,
  );
  const hold = new ListenerHold(config.HTTP_LISTEN_BACKLOG, {
    limit: () => limiter.limit,
    inFlight: gate.inFlight,
    // Engages only once the listener is held, long after `instruments` below is made.
    engaged: () => instruments.holds.inc(),
  });
  const queue = new AdmissionQueue<GateWaiter>({
    maxLength: config.ADMISSION_QUEUE_MAX,
    standingAfterMs: config.ADMISSION_QUEUE_STANDING_MS,
    standingMaxWaitMs: STANDING_MAX_WAIT_MS,
  });
  const instruments = new AdmissionMetrics(metrics, {
    limit: () => limiter.limit,
    inFlight: gate.inFlight,
    parked: gate.parked,
    queued: () => queue.length,
    baselineMs: () => limiter.baselineMs,
    connections: () => hold.connections,
    holding: () => (hold.engaged ? 1 : 0),
  });
  const window = new AdmissionWindow({
    limiter,
    latencies,
    changes,
    loop,
    hold,
    inFlight: gate.inFlight,
    sustainedAt: gate.sustainedAt,
    drain: gate.drain,
  });
  return { limiter, latencies, changes, loop, hold, queue, metrics: instruments, window };
}
