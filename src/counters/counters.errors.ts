import { AppError } from '../errors/app.error.js';

/** The increment would leave ±(2^53 − 1), beyond what JSON clients read exactly. */
export class CounterOutOfRangeError extends AppError {
  constructor(name: string) {
    super('COUNTER_OUT_OF_RANGE', 409, `Counter ${name} would leave the safe integer range.`);
  }
}
