import { busyWait } from '../chaos/busy-wait.js';
import { EventLoopMonitor } from './event-loop.monitor.js';

/** Holds the thread without running it: what a loop waiting for a core looks like. */
function blockWithoutCpu(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('EventLoopMonitor: utilization against the thread’s own CPU time', () => {
  const monitor = new EventLoopMonitor();
  afterEach(() => monitor.stop());

  it('tells a loop busy on a core from one held off the CPU: both read utilized', () => {
    monitor.start();
    monitor.take();
    busyWait(200);
    const busy = monitor.take();
    blockWithoutCpu(200);
    const held = monitor.take();
    expect(busy.utilization).toBeGreaterThan(0.9);
    expect(held.utilization).toBeGreaterThan(0.9);
    // Relative: a shared machine may take the core from the busy loop for part of its window.
    expect(held.threadCpu).toBeLessThan(0.2);
    expect(busy.threadCpu).toBeGreaterThan(held.threadCpu * 3);
  });
});
