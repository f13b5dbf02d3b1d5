/**
 * At most one log line per interval for an event that can repeat every request or every second
 * (a dependency failing, a connection flapping): the first occurrence is written at once, the
 * rest of the interval is counted and the count rides on the next line written.
 */
export class LogThrottle {
  private lastLineAt = -Infinity;
  private suppressed = 0;

  constructor(private readonly intervalMs = 10_000) {}

  /**
   * Whether this occurrence gets its line now; if so, with how many were left unlogged since the
   * last one (`suppressed`), otherwise undefined.
   */
  take(now = Date.now()): { suppressed: number } | undefined {
    if (now - this.lastLineAt < this.intervalMs) {
      this.suppressed++;
      return undefined;
    }
    this.lastLineAt = now;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return { suppressed };
  }
}
