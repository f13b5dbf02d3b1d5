import { performance } from 'node:perf_hooks';
import { readCgroupLimits, type CgroupLimits } from './cgroup.limits.js';

/**
 * How long one read answers for. Not the process's lifetime: Kubernetes can resize a pod's CPU
 * and memory in place (InPlacePodVerticalScaling), and the cgroup files change under the running
 * process. A second behind is less than anyone reading them notices (Prometheus scrapes every
 * 15-30 s), and bounds the reads to one a second whatever the request rate.
 */
const FRESH_MS = 1_000;

export interface LimitsCacheOptions {
  /** The read (tests pass one on their own files, or one that counts). */
  read?: () => Promise<CgroupLimits>;
  freshMs?: number;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

/**
 * The cgroup limits for GET /version, /api/info, /metrics and the memory chaos's cap check,
 * read at most once per FRESH_MS. A read is ~10 files through fs/promises, each a job on libuv's
 * threadpool (4 threads by default), which dns.lookup (upstream connects) and async crypto share:
 * read per request, a flood of the public, unauthenticated /version queued those behind it, and
 * each request kept its span and context alive across the reads.
 *
 * One read in flight answers every caller that arrives while it runs (single flight). A failed
 * read rejects for its callers and is not kept: the next caller reads again.
 */
export class LimitsCache {
  private readonly read: () => Promise<CgroupLimits>;
  private readonly freshMs: number;
  private readonly now: () => number;
  private kept?: { limits: CgroupLimits; readAt: number };
  private reading?: Promise<CgroupLimits>;
  private started = 0;

  constructor({
    read = () => readCgroupLimits(),
    freshMs = FRESH_MS,
    now = () => performance.now(),
  }: LimitsCacheOptions = {}) {
    this.read = read;
    this.freshMs = freshMs;
    this.now = now;
  }

  /** Reads started since this cache was made: what the threadpool was asked for. */
  get reads(): number {
    return this.started;
  }

  /** The limits as read at most `freshMs` ago (frozen: every caller shares the object). */
  current(): Promise<CgroupLimits> {
    const kept = this.kept;
    if (kept && this.now() - kept.readAt < this.freshMs) return Promise.resolve(kept.limits);
    return (this.reading ??= this.readNow().finally(() => {
      // In a callback, always run later: a read that threw at once is not left in flight.
      this.reading = undefined;
    }));
  }

  private async readNow(): Promise<CgroupLimits> {
    // Aged from the read's start: the files may have changed while it ran.
    const readAt = this.now();
    this.started++;
    const limits = Object.freeze(await this.read());
    this.kept = { limits, readAt };
    return limits;
  }
}
