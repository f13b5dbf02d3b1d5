import { performance } from 'node:perf_hooks';
import type { ConcurrencyLimiter } from './concurrency.limiter.js';
import type { LatencyWindow } from './latency.window.js';
import type { LimitChangeLog } from './limit-change.log.js';
import type { ListenerHold } from './listener.hold.js';
import { CPU_SATURATED } from './listener.pause.js';
import type { LoopWatch } from './loop.watch.js';

// Envoy's adaptive-concurrency filter samples 100 ms windows too: long enough for tens of
// requests at light load, short enough that a burst is answered within a few windows. A window
// with fewer than MIN_SAMPLES finished requests is extended (up to MAX_WINDOW_MS) rather than
// judged on one or two requests.
const WINDOW_MS = 100;
const MIN_SAMPLES = 10;
const MAX_WINDOW_MS = 1_000;

/** What a window judges and feeds: admission's parts and the gate's counts (admission.parts.ts). */
export interface WindowParts {
  limiter: ConcurrencyLimiter;
  latencies: LatencyWindow;
  changes: LimitChangeLog;
  loop: LoopWatch;
  hold: ListenerHold;
  /** Requests holding a slot now. */
  inFlight(): number;
  /** Whether the overload is sustained (a standing queue, or the loop lagging for windows). */
  sustainedAt(now: number): boolean;
  /** Admits waiters into slots the limit just grew by. */
  drain(now: number): void;
}

/**
 * Admission's feedback, once a window, off the request path: the event loop is judged (delay
 * refusals, readiness), the listener hold is told what the loop and the queue say, and the
 * adaptive limit (concurrency.limiter.ts) is fed the median latency of the requests that
 * finished, held from growing while event-loop utilization says the CPU is the bottleneck.
 */
export class AdmissionWindow {
  private timer?: NodeJS.Timeout;
  private windowStart = 0;

  constructor(private readonly parts: WindowParts) {}

  /** Once the listeners are open: start-up stalls the loop and must not count. */
  start(): void {
    this.windowStart = performance.now();
    this.timer = setInterval(() => this.end(), WINDOW_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private end(): void {
    const { limiter, latencies, changes, loop: watch, hold } = this.parts;
    const now = performance.now();
    const loop = watch.judge();
    const saturated = loop.utilization >= CPU_SATURATED;
    hold.judge(loop.utilization, saturated, this.parts.sustainedAt(now));
    // Too few requests to judge latency yet; the loop is still judged every window.
    if (latencies.size < MIN_SAMPLES && now - this.windowStart < MAX_WINDOW_MS) return;
    const window = latencies.take(this.parts.inFlight());
    this.windowStart = now;
    if (window.count === 0) return;
    const update = limiter.update({
      latencyMs: window.medianMs,
      maxInFlight: window.maxInFlight,
      cpuSaturated: saturated,
    });
    if (update.limit > update.previous) this.parts.drain(now);
    changes.maybeLog(
      {
        limit: update.limit,
        gradient: update.gradient,
        baselineMs: update.baselineMs,
        latencyMs: window.medianMs,
        cpuSaturated: saturated,
        loop,
        inFlight: this.parts.inFlight(),
      },
      now,
    );
  }
}
