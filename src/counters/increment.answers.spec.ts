import { MAX_STEP } from './counters.input.js';
import { answerInSerialOrder } from './increment.answers.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** What each step of `steps` is told, in the batch's order, when the row held `start` before. */
function answers(steps: readonly number[], start: number): number[] {
  const told: number[] = [];
  answerInSerialOrder(
    steps.map((by, i) => ({ by, resolve: (value: number) => (told[i] = value) })),
    start,
  );
  return told;
}

/** A deterministic sequence of steps (a linear congruential generator): the same each run. */
function stepsFrom(seed: number, length: number, sign: 1 | -1 | 0): number[] {
  let state = seed;
  return Array.from({ length }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const magnitude = state % (MAX_STEP + 1);
    return sign === 0 ? (state % 2 === 0 ? magnitude : -magnitude) : sign * magnitude;
  });
}

describe('answerInSerialOrder', () => {
  it('tells steps of one sign the value before the batch plus their prefix sum, in arrival order', () => {
    expect(answers([5, 1, 10, 3], 40)).toEqual([45, 46, 56, 59]);
    expect(answers([-5, -1], 40)).toEqual([35, 34]);
  });

  it('lets steps toward zero go first where both signs meet: negatives from 0 up, positives below it', () => {
    expect(answers([10, -3, 4, -1], 0)).toEqual([6, -3, 10, -4]);
    expect(answers([-10, 3, -4, 1], -1)).toEqual([-7, 2, -11, 3]);
  });

  it('every answer of a batch the row could take stays within ±(2^53 − 1), whatever the arrival order', () => {
    const out: string[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const steps = stepsFrom(seed, 1 + (seed % 50), 0);
      const total = steps.reduce((sum, by) => sum + by, 0);
      // Starts at either edge of the range that the batch's total keeps the row within.
      for (const start of [MAX - Math.max(0, total), -MAX - Math.min(0, total)]) {
        const told = answers(steps, start);
        if (told.some((value) => Math.abs(value) > MAX)) out.push(`seed ${seed} from ${start}`);
        // The last caller told sees what the statement left in the row.
        expect(told).toContain(start + total);
      }
    }
    expect(out).toEqual([]);
  });
});
