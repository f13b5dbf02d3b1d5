import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { FieldProblem } from '../errors/app.error.js';
import { fieldProblems } from '../openapi/contract.input.js';

// Ten minutes: long enough to watch a dashboard react, short enough that a forgotten experiment
// ends by itself. Every fault that keeps running is bounded like this or by a cap.
const MAX_BLOCK_MS = 600_000;
const HOUR_MS = 3_600_000;

/** `PUT /chaos/process/event-loop`: a synchronous busy wait on the main thread. */
export const loopBlockSchema = z.strictObject({
  /** How long each block holds the loop. */
  blockMs: z.number().int().min(1).max(MAX_BLOCK_MS),
  /** `once`: one block right after this answer; `every-request`: before each public request. */
  mode: z.enum(['once', 'every-request']).default('once'),
});

/** `PUT /chaos/process/cpu`: worker threads busy `share` of every 100 ms period. */
export const cpuBurnSchema = z.strictObject({
  share: z.number().min(0.01).max(1),
  /** Threads burning at once; at most the CPUs Node sees, so it cannot starve more than those. */
  workers: z.number().int().min(1).max(availableParallelism()).default(1),
  /** Stops by itself after this long. */
  durationMs: z.number().int().min(1).max(HOUR_MS).default(300_000),
});

// One step (a second's worth of growth) is allocated and written on the main thread, about 4 ms
// a MiB on a busy 2-core machine (page faults included): 16 MiB keeps a step near 60 ms, a blip
// on the event loop, not a fault of its own (60,000 MB a minute, 1 GB a step, held it 3.6 s).
const MEMORY_STEP_MAX_MB = 16;

/**
 * `PUT /chaos/process/memory`: retained buffers growing at a rate, up to a cap. The cap is also
 * checked against the memory this process may have (memory.limit.ts), which needs a read.
 */
export const memoryGrowthSchema = z.strictObject({
  mbPerMinute: z
    .number()
    .int()
    .min(1)
    .max(60 * MEMORY_STEP_MAX_MB),
  capMb: z.number().int().min(1).max(65_536),
});

/** `PUT /chaos/process/slow-body`: public bodies sent `chunkBytes` at a time, `intervalMs` apart. */
export const slowBodySchema = z.strictObject({
  chunkBytes: z.number().int().min(1).max(1_048_576).default(16),
  intervalMs: z.number().int().min(1).max(60_000).default(100),
});

/** `PUT /chaos/process/liveness`: /healthz answers 503 until the fault is stopped. */
export const livenessFailSchema = z.strictObject({
  reason: z.string().min(1).max(200).default('injected by admin /chaos/process/liveness'),
});

/** `POST /chaos/process/exit`: the process exits with `code`, `delayMs` after answering. */
export const exitSchema = z.strictObject({
  code: z.number().int().min(0).max(255).default(1),
  delayMs: z.number().int().min(0).max(MAX_BLOCK_MS).default(0),
});

export type LoopBlockSettings = z.infer<typeof loopBlockSchema>;
export type CpuBurnSettings = z.infer<typeof cpuBurnSchema>;
export type MemoryGrowthSettings = z.infer<typeof memoryGrowthSchema>;
export type SlowBodySettings = z.infer<typeof slowBodySchema>;
export type LivenessFailSettings = z.infer<typeof livenessFailSchema>;
export type ExitSettings = z.infer<typeof exitSchema>;

/**
 * Validates a request body strictly (no coercion: "100" is not a number); absent = `{}`. JSON
 * null is a body, not an absent one: `POST /chaos/process/exit` with `null` used to exit.
 */
export function parseFault<T>(
  schema: z.ZodType<T>,
  body: unknown,
): { settings: T } | { problems: FieldProblem[] } {
  const input = body === undefined ? {} : body;
  const result = schema.safeParse(input);
  if (result.success) return { settings: result.data };
  return { problems: fieldProblems(result.error, input) };
}
