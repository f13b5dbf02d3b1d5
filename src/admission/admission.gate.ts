import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { AppError } from '../errors/app.error.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ConcurrencyLimitedError, ServerOverloadedError } from './admission.errors.js';
import { AdmissionMetrics } from './admission.metrics.js';
import { ConcurrencyLimiter } from './concurrency.limiter.js';
import { EventLoopMonitor, type LoopWindow } from './event-loop.monitor.js';
import { LatencyWindow } from './latency.window.js';

const log = logger.child({ module: 'admission' });

// Envoy's adaptive-concurrency filter samples 100 ms windows too: long enough for tens of
// requests at light load, short enough that a burst is answered within a few windows. A window
// with fewer than MIN_SAMPLES finished requests is extended (up to MAX_WINDOW_MS) rather than
// judged on one or two requests.
const WINDOW_MS = 100;
const MIN_SAMPLES = 10;
const MAX_WINDOW_MS = 1_000;
// At most one limit-change line per 10 s: under a spike the limit moves every window.
const LOG_INTERVAL_MS = 10_000;
// Event-loop utilization from which the one thread counts as saturated (perf_hooks ELU).
const CPU_SATURATED = 0.95;

/**
 * Admission for the public port. Decides per request, in onRequest (admission.hook.ts):
 * 1. refused (SERVER_OVERLOADED) while the loop's delay passes EVENT_LOOP_MAX_DELAY_MS: a blocked
 *    loop answers nothing in time, so nothing new is started;
 * 2. refused (CONCURRENCY_LIMITED) when the admitted requests in flight reach the adaptive limit
 *    (concurrency.limiter.ts), fed every window with the median latency of finished requests and
 *    held from growing while event-loop utilization says the CPU is the bottleneck. (The loop's
 *    delay was an input too, at first: under a CPU-bound overload it counted the cost of the
 *    refusals themselves against the admitted requests and drove the limit to its floor,
 *    goodput with it. Latency measured in-process already includes the CPU queue they meet.)
 * 3. otherwise admitted; its slot is released when the response closes.
 * Connections are bounded before that, by the kernel and at accept (attach()).
 */
@Injectable()
export class AdmissionGate implements OnApplicationShutdown {
  private readonly limiter: ConcurrencyLimiter;
  private readonly latencies = new LatencyWindow();
  readonly loop = new EventLoopMonitor();
  private readonly metrics: AdmissionMetrics;
  private timer?: NodeJS.Timeout;
  private windowStart = 0;
  private admitted = 0;
  private loopLagging = false;
  private lastLog = { at: 0, limit: 0 };
  private rejectedSinceLog = 0;
  /** The loop window last measured, for the readiness check and logs. */
  lastLoop: LoopWindow = { utilization: 0, delayMeanMs: 0, delayMaxMs: 0 };
  /** Since when (performance.now()) every window's delay passed READINESS_MAX_EVENT_LOOP_DELAY_MS. */
  slowSince?: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.limiter = new ConcurrencyLimiter({
      minLimit: config.ADMISSION_MIN_LIMIT,
      maxLimit: Math.max(config.ADMISSION_MIN_LIMIT, config.ADMISSION_MAX_LIMIT),
      initialLimit: config.ADMISSION_INITIAL_LIMIT,
    });
    this.lastLog.limit = this.limiter.limit;
    this.metrics = new AdmissionMetrics(metrics, {
      limit: () => this.limiter.limit,
      inFlight: () => this.admitted,
      baselineMs: () => this.limiter.baselineMs,
    });
  }

  get enabled(): boolean {
    return this.config.ADMISSION_ENABLED;
  }

  get limit(): number {
    return this.limiter.limit;
  }

  get inFlight(): number {
    return this.admitted;
  }

  /** Bounds the public listener's connections and counts the ones it closes at accept. */
  attach(server: Server): void {
    if (this.config.HTTP_MAX_CONNECTIONS > 0)
      server.maxConnections = this.config.HTTP_MAX_CONNECTIONS;
    server.on('drop', () => this.metrics.connectionsDropped.inc());
  }

  /** Starts measuring once the listeners are open: start-up stalls the loop and must not count. */
  start(): void {
    this.loop.start();
    this.windowStart = performance.now();
    this.timer = setInterval(() => this.endWindow(), WINDOW_MS);
    this.timer.unref();
  }

  /** Admits one request (returns undefined) or says why not. */
  tryAdmit(): AppError | undefined {
    if (this.loopLagging) {
      this.metrics.rejectedByLoop.inc();
      this.rejectedSinceLog++;
      return new ServerOverloadedError();
    }
    if (this.admitted >= this.limiter.limit) {
      this.metrics.rejectedByLimit.inc();
      this.rejectedSinceLog++;
      return new ConcurrencyLimitedError(this.limiter.limit);
    }
    this.latencies.observeInFlight(++this.admitted);
    return undefined;
  }

  /** Releases an admitted request's slot; `admittedAt` is its performance.now() at admission. */
  release(admittedAt: number): void {
    this.admitted--;
    this.latencies.record(performance.now() - admittedAt);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.loop.stop();
  }

  private endWindow(): void {
    const now = performance.now();
    if (this.latencies.size < MIN_SAMPLES && now - this.windowStart < MAX_WINDOW_MS) {
      // Too few requests to judge latency yet; the loop is still judged every window.
      this.judgeLoop(this.loop.take());
      return;
    }
    const loop = this.loop.take();
    this.judgeLoop(loop);
    const window = this.latencies.take(this.admitted);
    this.windowStart = now;
    if (window.count === 0) return;
    const update = this.limiter.update({
      latencyMs: window.medianMs,
      maxInFlight: window.maxInFlight,
      cpuSaturated: loop.utilization >= CPU_SATURATED,
    });
    if (update.limit !== this.lastLog.limit && now - this.lastLog.at >= LOG_INTERVAL_MS) {
      log.info(
        {
          previousLimit: this.lastLog.limit,
          limit: update.limit,
          // What moved it: latency against the baseline (gradient < 1 shrinks, > 1 grows),
          // held from growing while the loop is saturated.
          signal: update.gradient < 1 ? 'latency_above_baseline' : 'latency_at_baseline',
          cpuSaturated: loop.utilization >= CPU_SATURATED,
          latencyMs: round(window.medianMs),
          loopDelayMs: round(loop.delayMeanMs),
          loopUtilization: round(loop.utilization),
          baselineMs: round(update.baselineMs),
          inFlight: this.admitted,
          rejectedSinceLastLine: this.rejectedSinceLog,
        },
        'concurrency limit changed',
      );
      this.lastLog = { at: now, limit: update.limit };
      this.rejectedSinceLog = 0;
    }
  }

  private judgeLoop(loop: LoopWindow): void {
    this.lastLoop = loop;
    const max = this.config.EVENT_LOOP_MAX_DELAY_MS;
    this.loopLagging = max > 0 && loop.delayMaxMs > max;
    const unready = this.config.READINESS_MAX_EVENT_LOOP_DELAY_MS;
    if (unready > 0 && loop.delayMaxMs > unready) this.slowSince ??= performance.now();
    else this.slowSince = undefined;
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;
