/**
 * Whether the pool is cold: half or more of its holders opening connections, as after the pool
 * closed its idle ones, at start, or after a restart. A queue that forms then waits behind
 * connection set-up, which says nothing about the rate queries are served at, so the
 * ConnectionGate (connection.gate.ts) counts a standing queue only from `warmSince`.
 */
export class PoolWarmth {
  /** Holders opening a connection right now, not yet able to serve. */
  private opening = 0;
  private since = 0;

  /**
   * @param max the most holders at once (DB_POOL_MAX)
   * @param now the gate's clock
   */
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  /** When the pool last stopped being cold. */
  get warmSince(): number {
    return this.since;
  }

  get cold(): boolean {
    return this.opening * 2 >= this.max;
  }

  /**
   * A holder starts opening a connection.
   * @returns call it once the connection is open, or failed to open
   */
  openingConnection(): () => void {
    this.opening++;
    return () => {
      const wasCold = this.cold;
      this.opening--;
      if (wasCold && !this.cold) this.since = this.now();
    };
  }
}
