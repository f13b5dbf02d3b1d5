import { Worker } from 'node:worker_threads';
import type { CpuBurnSettings } from './process-chaos.settings.js';

// Each worker is busy `share` of every period, then sleeps the rest: the 100 ms of the CFS
// scheduler's default period, so a burn of 0.5 with one worker looks like half a CPU to cgroup
// throttling and to process_cpu_seconds_total alike.
const PERIOD_MS = 100;

/**
 * The burning thread: plain CommonJS in a string, run with `eval: true` like the probe worker
 * (no second entry file to resolve under tsc's output or the tests). It reports the milliseconds
 * it spent busy after every period; it yields each period, so terminate() stops it at once.
 */
const BURN_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { share, periodMs } = workerData;
function period() {
  const start = performance.now();
  while (performance.now() - start < periodMs * share) {}
  parentPort.postMessage(performance.now() - start);
  setTimeout(period, Math.max(0, periodMs * (1 - share)));
}
period();
`;

/**
 * CPU burn in worker threads: the main thread stays free, so this shows what CPU contention
 * (a noisy neighbour, a cgroup quota being hit) does to latency, not a blocked loop (for that,
 * the event-loop fault). Stops after `durationMs` or when stop() is called.
 */
export class CpuBurn {
  private workers: Worker[] = [];
  private timer?: NodeJS.Timeout;
  private current?: CpuBurnSettings & { startedAt: string };

  constructor(
    private readonly events: {
      /** A worker was busy this many ms (once per period). */
      burned: (ms: number) => void;
      /** The burn ended by itself (its duration elapsed). */
      ended: () => void;
    },
  ) {}

  get settings(): (CpuBurnSettings & { startedAt: string }) | undefined {
    return this.current;
  }

  start(settings: CpuBurnSettings): void {
    this.stop();
    this.current = { ...settings, startedAt: new Date().toISOString() };
    for (let i = 0; i < settings.workers; i++) {
      const worker = new Worker(BURN_WORKER_SOURCE, {
        eval: true,
        workerData: { share: settings.share, periodMs: PERIOD_MS },
      });
      worker.on('message', (ms: number) => this.events.burned(ms));
      worker.unref();
      this.workers.push(worker);
    }
    this.timer = setTimeout(() => {
      this.stop();
      this.events.ended();
    }, settings.durationMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const worker of this.workers) {
      // No late report after stop: the counter stops with the burn.
      worker.removeAllListeners('message');
      void worker.terminate();
    }
    this.workers = [];
    this.current = undefined;
  }
}
