import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { SourceMapper } from '@datadog/pprof';
import { ProfileInProgressError } from './debug.errors.js';

type Pprof = typeof import('@datadog/pprof');

// Go's defaults (runtime/pprof): 100 Hz CPU sampling; one heap sample per 512 KiB allocated.
const CPU_INTERVAL_MICROS = 10_000;
const HEAP_INTERVAL_BYTES = 512 * 1024;
const HEAP_STACK_DEPTH = 64;

/**
 * CPU and heap profiles in pprof protobuf form, gzip-compressed as Go's net/http/pprof serves
 * them, so `go tool pprof`, Pyroscope and Parca read them directly. The native module is loaded
 * only when profiling is enabled; frames are mapped to .ts lines through dist's source maps.
 */
export class PprofProfiler {
  private pprof?: Pprof;
  private sourceMapper?: Promise<SourceMapper | undefined>;
  private cpuBusy = false;
  private heapBusy = false;

  /** Loads @datadog/pprof and starts the sampling heap profiler (a few % of allocation cost). */
  async start(): Promise<void> {
    this.pprof = await import('@datadog/pprof');
    this.pprof.heap.start(HEAP_INTERVAL_BYTES, HEAP_STACK_DEPTH);
  }

  stop(): void {
    this.pprof?.heap.stop();
  }

  /**
   * Samples the CPU for `seconds`; one at a time, 409 otherwise. Stops early, with no profile,
   * when `abandoned` aborts (the client went away): as Go's handler does, so a forgotten 60 s
   * profile neither keeps sampling nor holds the next one off with 409s.
   * @returns the profile, or undefined if abandoned
   */
  async cpu(seconds: number, abandoned: AbortSignal): Promise<Buffer | undefined> {
    const pprof = this.loaded();
    if (this.cpuBusy) throw new ProfileInProgressError('CPU');
    this.cpuBusy = true;
    try {
      const sourceMapper = await this.mapper();
      if (abandoned.aborted) return undefined;
      pprof.time.start({ intervalMicros: CPU_INTERVAL_MICROS, sourceMapper });
      const ran = await setTimeout(seconds * 1000, true, { signal: abandoned }).catch(() => false);
      const profile = pprof.time.stop();
      return ran ? await pprof.encode(profile) : undefined;
    } finally {
      this.cpuBusy = false;
    }
  }

  /**
   * Live objects sampled since start (what `go tool pprof -inuse_space` shows); one at a time,
   * 409 otherwise. The profile is walked and serialized on the event loop (12 ms each here, more
   * with a larger heap): 60 requested at once were all built, one after another, and held a
   * public `/hello` 194 ms.
   */
  async heap(): Promise<Buffer> {
    const pprof = this.loaded();
    if (this.heapBusy) throw new ProfileInProgressError('heap');
    this.heapBusy = true;
    try {
      return await pprof.encode(pprof.heap.profile(undefined, await this.mapper()));
    } finally {
      this.heapBusy = false;
    }
  }

  private loaded(): Pprof {
    if (!this.pprof) throw new Error('PprofProfiler.start() was not called');
    return this.pprof;
  }

  /** Scans the compiled tree (dist/) for source maps once, on first use. */
  private mapper(): Promise<SourceMapper | undefined> {
    const root = fileURLToPath(new URL('..', import.meta.url));
    this.sourceMapper ??= this.loaded()
      .SourceMapper.create([root])
      .catch(() => undefined);
    return this.sourceMapper;
  }
}
