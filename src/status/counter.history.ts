/** A read of the counters the status page shows, keyed `metric|label`. */
export type CounterRead = ReadonlyMap<string, number>;

/**
 * The counters as read at earlier visits of the status page: the baselines its "recent" figures
 * are measured from. At most one read per `spacingMs` is kept, for `windowMs`, so memory and the
 * cost of a visit stay bounded whatever the polling rate (at most windowMs / spacingMs + 1
 * reads). Keeping every read let 30,000 polls in a minute hold 30,000 maps (heap 38 → 100 MB,
 * kept after a full GC) and scan them all on every call (0.76 → 2.6 ms).
 */
export class CounterHistory {
  private readonly kept: Array<{ at: number; counters: CounterRead }> = [];

  constructor(
    private readonly windowMs: number,
    private readonly spacingMs: number,
  ) {}

  /**
   * Keeps `counters`, read at `now` (ms, monotonic), unless the newest kept read is less than
   * `spacingMs` old; returns the oldest read kept within the window (this one, the first time).
   */
  remember(now: number, counters: CounterRead): CounterRead {
    while (this.kept.length > 0 && now - this.kept[0]!.at > this.windowMs) this.kept.shift();
    const newest = this.kept.at(-1);
    if (newest === undefined || now - newest.at >= this.spacingMs) {
      this.kept.push({ at: now, counters });
    }
    return this.kept[0]!.counters;
  }

  /** Reads kept. */
  get size(): number {
    return this.kept.length;
  }

  /** When the oldest kept read was taken, or undefined before the first. */
  get oldestAt(): number | undefined {
    return this.kept[0]?.at;
  }
}
