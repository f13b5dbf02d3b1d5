// Weight of the newest hold in the moving average: ~the last ten holds dominate.
const HOLD_EWMA_WEIGHT = 0.2;

/**
 * How long the ConnectionGate's slots are held (connection.gate.ts), and when one last changed
 * hands: what a caller's estimated wait is made of, which the gate compares with the time its
 * request has left (DB_POOL_SATURATED when it cannot be met).
 */
export class HoldTimes {
  private typical = 0;
  private lastHandover = 0;

  /** Moving average of how long a slot is held, in ms (0 until the first release). */
  get typicalMs(): number {
    return this.typical;
  }

  /** A slot was handed to a holder at `now`. */
  handedOver(now: number): void {
    this.lastHandover = now;
  }

  /** The slot taken at `acquiredAt` came back at `now`. */
  released(acquiredAt: number, now: number): void {
    this.typical += HOLD_EWMA_WEIGHT * (now - acquiredAt - this.typical);
  }

  /**
   * How long a hold takes now: the average, or longer while no slot has changed hands for
   * longer than that (holders stuck behind a lock or a frozen server).
   */
  currentMs(now: number): number {
    return Math.max(this.typical, now - this.lastHandover);
  }

  /**
   * Estimated wait for a caller joining a queue when every one of `holders` slots is held.
   * The next release is at least one average hold per slot away — and at least as far off as
   * the gate has already gone without handing a slot over (holders that have all been stuck
   * for a second say more about the next second than an average of millisecond holds). Each
   * waiter `ahead` of the caller adds one average hold per slot.
   */
  estimatedWaitMs(now: number, holders: number, ahead: number): number {
    const perRelease = this.typical / holders;
    return Math.max(perRelease, now - this.lastHandover) + ahead * perRelease;
  }
}
