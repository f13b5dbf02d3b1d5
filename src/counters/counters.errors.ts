import { AppError, hasCode } from '../errors/app.error.js';

/** The increment would leave ±(2^53 − 1), beyond what JSON clients read exactly. */
export class CounterOutOfRangeError extends AppError {
  constructor(name: string) {
    super('COUNTER_OUT_OF_RANGE', 409, `Counter ${name} would leave the safe integer range.`);
  }
}

/**
 * The database rejected the statement that carried this increment together with the rest of
 * its batch: nothing in it was applied. Quiet, because the batch's failure is logged once with
 * its cause (CountersService), not once per caller.
 */
export class CounterIncrementFailedError extends AppError {
  constructor(name: string, batchSize: number, cause: unknown) {
    super(
      'COUNTER_INCREMENT_FAILED',
      500,
      `The statement adding this and ${batchSize - 1} other increment(s) to counter ${name} failed; none was applied.`,
      { cause, quiet: true },
    );
  }
}

export const isCounterOutOfRange = (e: unknown): e is CounterOutOfRangeError =>
  hasCode(e, 'COUNTER_OUT_OF_RANGE');
