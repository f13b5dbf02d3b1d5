import { setMaxListeners } from 'node:events';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ProbeServer } from '../health/probe.server.js';
import { flushLogger, logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { busyWait } from './busy-wait.js';
import { CpuBurn } from './cpu.burn.js';
import { MemoryGrowth } from './memory.growth.js';
import { PROCESS_FAULTS, ProcessChaosMetrics, type ProcessFault } from './process-chaos.metrics.js';
import type {
  CpuBurnSettings,
  ExitSettings,
  LoopBlockSettings,
  MemoryGrowthSettings,
  SlowBodySettings,
} from './process-chaos.settings.js';

const log = logger.child({ module: 'chaos' });

type Started<T> = T & { startedAt: string };
const now = (): string => new Date().toISOString();
const started = <T>(settings: T): Started<T> => ({ ...settings, startedAt: now() });

/**
 * Whole-process faults (admin /chaos/process): a blocked event loop, CPU burn, memory growth,
 * failed liveness, slow bodies, an exit. Each is started and stopped on its own, logged at warn
 * (it breaks things on purpose), and shown in GET state and on /metrics. Nothing starts from
 * configuration: a restart clears every one of them, as a restart should after such a test.
 */
@Injectable()
export class ProcessChaos implements OnApplicationShutdown {
  private loopBlock?: Started<LoopBlockSettings>;
  private slow?: Started<SlowBodySettings>;
  // Aborted when the slow-body fault stops: every body still dribbling sends its rest at once.
  private slowStop = unlimitedController();
  private liveness?: Started<{ reason: string }>;
  private exit?: ExitSettings & { at: string };
  private exitTimer?: NodeJS.Timeout;
  private readonly cpu: CpuBurn;
  private readonly memory = new MemoryGrowth();
  private readonly metrics: ProcessChaosMetrics;

  constructor(
    private readonly probes: ProbeServer,
    metrics: MetricsService,
  ) {
    this.metrics = new ProcessChaosMetrics(metrics, {
      active: (fault) => this.isActive(fault),
      heldBytes: () => this.memory.bytes,
    });
    this.cpu = new CpuBurn({
      burned: (ms) => this.metrics.burnedSeconds.inc(ms / 1000),
      ended: () => log.warn({ fault: 'cpu' }, 'chaos: fault ended, its duration elapsed'),
    });
  }

  /** What is on, for GET /chaos/process; a fault that is off is null. */
  get state() {
    return {
      eventLoop: this.loopBlock ?? null,
      cpu: this.cpu.settings ?? null,
      memory: this.memory.settings ?? null,
      liveness: this.liveness ?? null,
      slowBody: this.slow ?? null,
      exit: this.exit ?? null,
    };
  }

  /** The per-request block to apply, in ms (0: none). Read by the public onRequest hook. */
  get perRequestBlockMs(): number {
    return this.loopBlock?.blockMs ?? 0;
  }

  /**
   * The slow-body settings to apply to public answers, if on, and the signal that aborts when
   * the fault is stopped. Read by the onSend hook.
   */
  get slowBody(): (SlowBodySettings & { stopped: AbortSignal }) | undefined {
    return this.slow && { ...this.slow, stopped: this.slowStop.signal };
  }

  /** Holds the main thread for `ms` now (public hook, every-request mode, or `once`). */
  block(ms: number): void {
    busyWait(ms);
    this.metrics.blockedSeconds.inc(ms / 1000);
  }

  /** `once` blocks `afterAnswer` (so the caller gets its 202 first); `every-request` stays on. */
  startLoopBlock(settings: LoopBlockSettings, afterAnswer: (run: () => void) => void): void {
    log.warn({ chaos: settings }, 'chaos: event-loop block');
    if (settings.mode === 'once') afterAnswer(() => this.block(settings.blockMs));
    else this.loopBlock = started(settings);
  }

  startCpuBurn(settings: CpuBurnSettings): void {
    log.warn({ chaos: settings }, 'chaos: cpu burn');
    this.cpu.start(settings);
  }

  startMemoryGrowth(settings: MemoryGrowthSettings): void {
    log.warn({ chaos: settings }, 'chaos: memory growth');
    this.memory.start(settings);
  }

  startSlowBody(settings: SlowBodySettings): void {
    log.warn({ chaos: settings }, 'chaos: slow bodies');
    this.slow = started(settings);
  }

  failLiveness(reason: string): void {
    log.warn({ reason }, 'chaos: liveness failed on purpose');
    this.liveness = started({ reason });
    this.probes.setLivenessFailure(reason);
  }

  /**
   * Exits with `code` `delayMs` after `afterAnswer` runs it: no drain, no shutdown hooks, as a
   * crash would (in-flight requests are cut). Only the log is flushed, so the reason is kept.
   * Until then, stop('exit') cancels it.
   */
  exitProcess(settings: ExitSettings, afterAnswer: (run: () => void) => void): void {
    log.warn({ chaos: settings }, 'chaos: process exit requested');
    this.stop('exit');
    const exit = { ...settings, at: new Date(Date.now() + settings.delayMs).toISOString() };
    this.exit = exit;
    afterAnswer(() => {
      if (this.exit !== exit) return; // cancelled before the answer had left
      this.exitTimer = setTimeout(() => {
        log.fatal({ code: settings.code }, 'chaos: exiting now');
        flushLogger();
        process.exit(settings.code);
      }, settings.delayMs);
    });
  }

  /** Stops one fault (a pending exit is cancelled); true when it was on. */
  stop(fault: ProcessFault): boolean {
    const wasActive = this.isActive(fault);
    if (fault === 'event-loop') this.loopBlock = undefined;
    else if (fault === 'cpu') this.cpu.stop();
    else if (fault === 'memory') this.memory.stop();
    else if (fault === 'slow-body' && this.slow) {
      this.slow = undefined;
      this.slowStop.abort();
      this.slowStop = unlimitedController();
    } else if (fault === 'exit') {
      clearTimeout(this.exitTimer);
      this.exit = this.exitTimer = undefined;
    } else if (fault === 'liveness' && this.liveness) {
      this.liveness = undefined;
      this.probes.setLivenessFailure(undefined);
    }
    if (wasActive) log.warn({ fault }, 'chaos: fault stopped');
    return wasActive;
  }

  /** Stops every fault; true when any was on. */
  stopAll(): boolean {
    return PROCESS_FAULTS.map((fault) => this.stop(fault)).includes(true);
  }

  onApplicationShutdown(): void {
    this.stopAll();
  }

  private isActive(fault: ProcessFault): boolean {
    return Boolean(
      {
        'event-loop': this.loopBlock,
        cpu: this.cpu.settings,
        memory: this.memory.settings,
        liveness: this.liveness,
        'slow-body': this.slow,
        exit: this.exit,
      }[fault],
    );
  }
}

/**
 * A controller whose signal takes any number of listeners: each slow body in progress adds one,
 * and past ten Node warns of a leak (MaxListenersExceededWarning) that is none.
 */
function unlimitedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
