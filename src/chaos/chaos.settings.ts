import { z } from 'zod';
import { CHAOS_STATUS_MESSAGE, injectableStatus } from '../config/chaos-status.field.js';
import type { FieldProblem } from '../errors/app.error.js';
import { fieldProblems } from '../openapi/contract.input.js';

/**
 * Fault injection applied to public routes (probes excepted). Strict: unknown fields, wrong
 * types and out-of-range values are rejected, never coerced ("0.5" is not a number here).
 */
export const chaosSettingsSchema = z.strictObject({
  /** Share of requests answered with `errorStatus`, 0..1. */
  errorRate: z.number().min(0).max(1).default(0),
  /**
   * A 4xx/5xx that needs no header of its own (config/chaos-status.field.ts). The exclusions are
   * not checked on a value out of range: 200 was reported as too small and again as not injectable.
   */
  errorStatus: z
    .number()
    .int()
    .min(400, CHAOS_STATUS_MESSAGE)
    .max(599, CHAOS_STATUS_MESSAGE)
    .refine(injectableStatus, {
      message: CHAOS_STATUS_MESSAGE,
      when: (payload) => payload.issues.length === 0,
    })
    .default(503),
  /** Added before every request is handled (cancellable: the deadline still applies). */
  latencyMs: z.number().int().min(0).max(600_000).default(0),
  /** Uniform random extra latency, 0..latencyJitterMs. */
  latencyJitterMs: z.number().int().min(0).max(600_000).default(0),
});

export type ChaosSettings = z.infer<typeof chaosSettingsSchema>;

/** Chaos off: what DELETE /chaos restores. */
export const NO_CHAOS: ChaosSettings = Object.freeze({
  errorRate: 0,
  errorStatus: 503,
  latencyMs: 0,
  latencyJitterMs: 0,
});

/** Validates a PUT body; missing fields take the "off" value. */
export function parseChaosSettings(
  body: unknown,
): { settings: ChaosSettings } | { problems: FieldProblem[] } {
  // Only an absent body means "all off"; JSON null is a body, and not an object.
  const input = body === undefined ? {} : body;
  const result = chaosSettingsSchema.safeParse(input);
  if (result.success) return { settings: Object.freeze(result.data) };
  return { problems: fieldProblems(result.error, input) };
}
