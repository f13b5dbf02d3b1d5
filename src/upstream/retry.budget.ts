/**
 * A token bucket that caps retries at a share of traffic, so retries add at most
 * UPSTREAM_RETRY_BUDGET_PERCENT % to a backend's load — the retry storm that turns a brown-out
 * into an outage cannot happen (Finagle's RetryBudget; Google SRE book, "Handling Overload":
 * per-client retry budget). Every original call deposits `percent` hundredths of a token, every
 * retry withdraws one whole token. Integer hundredths, so 5 × 20 % is exactly one retry.
 * The bucket starts empty and holds at most `capacity` retries, so a long quiet spell cannot
 * bank a burst of retries for the next outage.
 */
export class RetryBudget {
  private hundredths = 0;
  private readonly capacityHundredths: number;

  constructor(
    private readonly percent: number,
    capacity = 10,
  ) {
    this.capacityHundredths = capacity * 100;
  }

  /** Records one original (non-retry) call. */
  deposit(): void {
    this.hundredths = Math.min(this.capacityHundredths, this.hundredths + this.percent);
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryWithdraw(): boolean {
    if (this.hundredths < 100) return false;
    this.hundredths -= 100;
    return true;
  }

  /** Whole retries currently available. */
  get available(): number {
    return Math.floor(this.hundredths / 100);
  }
}
