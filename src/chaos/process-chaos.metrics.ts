import type { Counter } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service.js';

/** The faults process chaos can switch on, as they appear in `chaos_process_fault_active`. */
export const PROCESS_FAULTS = [
  'event-loop',
  'cpu',
  'memory',
  'liveness',
  'slow-body',
  'exit',
] as const;
export type ProcessFault = (typeof PROCESS_FAULTS)[number];

/**
 * What process chaos is doing, on /metrics beside the signals it should move: a dashboard can
 * then tell an injected failure from a real one.
 */
export class ProcessChaosMetrics {
  readonly blockedSeconds: Counter;
  readonly burnedSeconds: Counter;

  constructor(
    metrics: MetricsService,
    read: { active: (fault: ProcessFault) => boolean; heldBytes: () => number },
  ) {
    metrics.gauge({
      name: 'chaos_process_fault_active',
      help: 'Whether a process fault injected by admin /chaos/process is on (1) or off (0).',
      labelNames: ['fault'] as const,
      collect() {
        for (const fault of PROCESS_FAULTS) this.set({ fault }, read.active(fault) ? 1 : 0);
      },
    });
    metrics.readGauge(
      'chaos_memory_held_bytes',
      'Memory retained on purpose by the memory-growth fault.',
      () => read.heldBytes(),
    );
    this.blockedSeconds = metrics.counter({
      name: 'chaos_event_loop_blocked_seconds_total',
      help: 'Time the main thread was held busy on purpose by the event-loop fault.',
    });
    this.burnedSeconds = metrics.counter({
      name: 'chaos_cpu_burn_seconds_total',
      help: 'Busy time of the CPU-burn fault worker threads, summed over threads.',
    });
  }
}
