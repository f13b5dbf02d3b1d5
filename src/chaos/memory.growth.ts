import type { MemoryGrowthSettings } from './process-chaos.settings.js';

const MIB = 1024 * 1024;
// One allocation a second: a steady ramp on a dashboard, not a staircase.
const STEP_MS = 1_000;

// ES2024's ArrayBuffer.prototype.transfer (Node 21+), which this project's es2023 lib lacks.
type DetachableArrayBuffer = ArrayBufferLike & { transfer(length: number): ArrayBuffer };

/**
 * A leak on purpose: retained buffers growing by `mbPerMinute`, one step a second (the first too,
 * so the PUT answers at once and the ramp starts from nothing), never past `capMb`, all released
 * on stop(). The pages are written (allocUnsafeSlow + fill), since a zeroed allocation may be
 * mapped lazily and never show in the resident set; Buffers live outside the V8 heap, so this
 * grows RSS and the container's memory usage, as a native leak or a large cache would, and can
 * take the pod to its memory limit (OOMKilled) when the cap is set near it.
 */
export class MemoryGrowth {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private timer?: NodeJS.Timeout;
  private current?: MemoryGrowthSettings & { startedAt: string };

  /** `stepMs`: the time between steps (a second; shorter in tests), `mbPerMinute` still per minute. */
  constructor(private readonly stepMs = STEP_MS) {}

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
    this.timer = setInterval(() => {
      const size = Math.min(step, cap - this.heldBytes);
      if (size <= 0) return;
      // Slow: never a slice of Node's shared pool (a step clipped to the cap can be small), so
      // stop() may detach it without touching anyone else's bytes.
      this.held.push(Buffer.allocUnsafeSlow(size).fill(1));
      this.heldBytes += size;
    }, this.stepMs);
    this.timer.unref();
  }

  /**
   * Frees every buffer now: each one's memory is detached (transfer(0)) and returned to the
   * allocator at once. Dropping the references alone left it held until a garbage collection,
   * which an idle process may not run for minutes (V8 collects on allocation, not on a clock).
   */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const buffer of this.held) (buffer.buffer as DetachableArrayBuffer).transfer(0);
    this.held = [];
    this.heldBytes = 0;
    this.current = undefined;
  }
}
