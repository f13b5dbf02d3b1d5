import type { MemoryGrowthSettings } from './process-chaos.settings.js';

const MIB = 1024 * 1024;
// One allocation a second: a steady ramp on a dashboard, not a staircase.
const STEP_MS = 1_000;

/**
 * A leak on purpose: retained buffers growing by `mbPerMinute`, never past `capMb`, all released
 * on stop(). The pages are written (allocUnsafe + fill), since a zeroed allocation may be mapped
 * lazily and never show in the resident set; Buffers live outside the V8 heap, so this grows
 * RSS and the container's memory usage, as a native leak or a large cache would, and can take
 * the pod to its memory limit (OOMKilled) when the cap is set above it.
 */
export class MemoryGrowth {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private timer?: NodeJS.Timeout;
  private current?: MemoryGrowthSettings & { startedAt: string };

  get bytes(): number {
    return this.heldBytes;
  }

  get settings(): (MemoryGrowthSettings & { startedAt: string; heldBytes: number }) | undefined {
    return this.current && { ...this.current, heldBytes: this.heldBytes };
  }

  start(settings: MemoryGrowthSettings): void {
    this.stop();
    this.current = { ...settings, startedAt: new Date().toISOString() };
    const step = Math.max(1, Math.round((settings.mbPerMinute * MIB * STEP_MS) / 60_000));
    const cap = settings.capMb * MIB;
    const grow = (): void => {
      const size = Math.min(step, cap - this.heldBytes);
      if (size <= 0) return;
      this.held.push(Buffer.allocUnsafe(size).fill(1));
      this.heldBytes += size;
    };
    grow();
    this.timer = setInterval(grow, STEP_MS);
    this.timer.unref();
  }

  /** Drops every buffer: the garbage collector returns the memory at its next run. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.held = [];
    this.heldBytes = 0;
    this.current = undefined;
  }
}
