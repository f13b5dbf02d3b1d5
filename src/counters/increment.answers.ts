/** One caller of a batch, as far as its answer goes. */
export interface AnsweredIncrement {
  /** Its step. */
  readonly by: number;
  resolve(value: number): void;
}

/**
 * What each caller of one increment statement is told (increment.combiner.ts): the value it
 * would have seen had the increments run one after another.
 *
 * The statement returns the new value V after adding the batch total T, so the row held
 * S = V − T just before (`start`); each caller is given S plus its prefix sum. The callers were
 * all waiting at once, so any order among them is a valid serial order. Arrival order is used,
 * except that when steps of both signs meet, the ones heading toward zero go first (negatives
 * first from S ≥ 0, positives first from S < 0): from S ≥ 0 the answers then fall by the
 * negative steps to no lower than S − maxBatch × MAX_STEP (≥ −10¹⁴ within the config's limits)
 * and rise by the positive ones to V, so each lies between that bound and max(S, V) — values the
 * CHECK constraint kept in range — mirrored below zero. No answer shows a value outside
 * ±(2⁵³ − 1) even when the batch's order of arrival would have passed through one.
 */
export function answerInSerialOrder(batch: readonly AnsweredIncrement[], start: number): void {
  const first =
    start >= 0 ? (c: AnsweredIncrement) => c.by < 0 : (c: AnsweredIncrement) => c.by > 0;
  let value = start;
  for (const caller of batch) {
    if (first(caller)) caller.resolve((value += caller.by));
  }
  for (const caller of batch) {
    if (!first(caller)) caller.resolve((value += caller.by));
  }
}
