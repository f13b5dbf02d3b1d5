import { z } from 'zod';
import { parseInput } from '../openapi/contract.input.js';

export const MAX_STEP = 1_000_000_000;

/** The schemas `/api/counters` validates with; counters.contract.ts documents these objects. */
export const counterParams = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 of A-Z a-z 0-9 _ . -')
    .meta({ examples: ['visits'] }),
});

const stepMessage = `expected an integer from -${MAX_STEP} to ${MAX_STEP}`;
export const incrementBody = z
  .strictObject({
    by: z
      .int(stepMessage)
      .min(-MAX_STEP, stepMessage)
      .max(MAX_STEP, stepMessage)
      .optional()
      .meta({ description: 'Added to the counter (default 1; negative subtracts).', default: 1 }),
  })
  .meta({ id: 'CounterIncrement' });

/** A counter and its value (after this request's increment, for POST). */
export const counterSchema = z
  .object({ name: z.string(), value: z.int() })
  .meta({ id: 'Counter', examples: [{ name: 'visits', value: 42 }] });

/** Path name: letters, digits, `_ . -`, at most 64. */
export function parseCounterName(raw: string): string {
  return parseInput(counterParams, { name: raw }).name;
}

/** Body `{by?: integer}` (default 1); no body at all means `{}`, and JSON null is refused. */
export function parseIncrement(body: unknown): number {
  if (body === undefined) return 1;
  return parseInput(incrementBody, body).by ?? 1;
}
