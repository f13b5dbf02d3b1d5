/**
 * How many holders the ConnectionGate (connection.gate.ts) admits now: `max`, or fewer for a
 * while after the server refused a connection for want of a slot (SQLSTATE 53300). Then only
 * as many hold at once as the pool has connections open, and callers beyond them wait for one
 * of those instead of failing on a connect the server would refuse again. When the time is up,
 * `max` again: the next connect tries the server once more, and `onLift` lets the gate hand the
 * slots freed to its queue.
 */
export class ConnectionCeiling {
  private current: number;
  private timer?: NodeJS.Timeout;

  /**
   * @param max DB_POOL_MAX (1 for PGlite)
   * @param onLift called when the ceiling is back at `max`
   */
  constructor(
    readonly max: number,
    private readonly onLift: () => void,
  ) {
    this.current = max;
  }

  /** Holders allowed now (below `max` only while limitTo() holds). */
  get value(): number {
    return this.current;
  }

  /**
   * For `forMs`, at most `open` holders. A later call restarts the time, and keeps the lower of
   * the two limits.
   * @returns false when there is no connection to wait for (open < 1): the caller fails
   */
  limitTo(open: number, forMs: number): boolean {
    if (open < 1) return false;
    this.current = Math.min(this.current, open);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.lift(), forMs).unref();
    return true;
  }

  private lift(): void {
    this.current = this.max;
    this.timer = undefined;
    this.onLift();
  }
}
