import { performance } from 'node:perf_hooks';

/**
 * Holds the calling thread for `ms` without yielding: what a CPU-bound handler or a synchronous
 * call (a large JSON.parse, a sync crypto or fs call) does to a Node process. Atomics.wait would
 * block without using CPU, which hides the fault from CPU metrics and event-loop utilization.
 */
export function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}
