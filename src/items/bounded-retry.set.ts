import { LogThrottle } from '../logging/log.throttle.js';

/**
 * Ids waiting to be dealt with again in rounds (UnpublishedInvalidations publishes them again,
 * InDoubtWrites drops them once the database has settled them), oldest first and at most `max`:
 * past it the oldest is forgotten, and `onForgotten` told at most every 10 s with how many went
 * untold since. Each id carries the round that last added it, so a round clears only the ids
 * it saw: one added again while the round ran (a newer write) stays for the next.
 */
export class BoundedRetrySet {
  private readonly ids = new Map<string, number>();
  private round = 0;
  private readonly forgottenLines = new LogThrottle();

  constructor(
    private readonly max: number,
    private readonly onForgotten: (line: { suppressed: number }) => void,
  ) {}

  /** Ids waiting now. */
  get size(): number {
    return this.ids.size;
  }

  /** `id` waits (again, as the newest) for the next round. */
  add(id: string): void {
    this.ids.delete(id);
    this.ids.set(id, this.round);
    if (this.ids.size > this.max) this.forgetOldest();
  }

  /** Begins a round and returns it: ids added from now on wait for the next one. */
  beginRound(): number {
    return ++this.round;
  }

  /** The ids waiting now, oldest first. */
  waiting(): string[] {
    return [...this.ids.keys()];
  }

  /** Drops `id` unless it was added again since `round` began (or is gone); whether it did. */
  clear(id: string, round: number): boolean {
    const at = this.ids.get(id);
    if (at === undefined || at >= round) return false;
    this.ids.delete(id);
    return true;
  }

  /** Drops every id not added again since `round` began, and returns them. */
  clearRound(round: number): string[] {
    return this.waiting().filter((id) => this.clear(id, round));
  }

  private forgetOldest(): void {
    const [oldest] = this.ids.keys();
    if (oldest !== undefined) this.ids.delete(oldest);
    const line = this.forgottenLines.take();
    if (line) this.onForgotten(line);
  }
}
