const SECOND_MS = 1_000;

/** "000Z" … "999Z": a line's milliseconds and zone, looked up instead of formatted. */
const MILLIS = Array.from({ length: SECOND_MS }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

/**
 * The current time in ISO 8601 (`2026-12-04T20:08:44.367Z`, as `Date.prototype.toISOString` and
 * pino's isoTime write it) for every log line. `toISOString` formats through V8's printf path,
 * ~7,000 instructions a call (callgrind, one call per request when requests are a millisecond or
 * more apart, as they are in most pods most of the time): this formats the date and the second
 * once per second and adds the milliseconds from a table (iso-clock.bench.ts).
 */
export class IsoClock {
  private secondStart = Number.NaN;
  /** `2026-12-04T20:08:44.`, the ISO text of `secondStart` up to its milliseconds. */
  private secondPrefix = '';
  private lastMs = Number.NaN;
  private last = '';

  constructor(private readonly nowMs: () => number = Date.now) {}

  now(): string {
    const now = this.nowMs();
    if (now === this.lastMs) return this.last;
    const intoSecond = now - this.secondStart;
    if (!(intoSecond >= 0 && intoSecond < SECOND_MS)) {
      // Whole seconds since the epoch, also before 1970 (a clock set that far back still logs).
      this.secondStart = now - (((now % SECOND_MS) + SECOND_MS) % SECOND_MS);
      this.secondPrefix = new Date(this.secondStart).toISOString().slice(0, -4);
    }
    this.lastMs = now;
    this.last = this.secondPrefix + MILLIS[now - this.secondStart];
    return this.last;
  }
}
