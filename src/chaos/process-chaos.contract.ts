import { z } from 'zod';
import type { ProblemCode } from '../errors/problem.catalog.js';
import { defineContract, type RouteContract } from '../openapi/route.contract.js';
import type { ProcessFault } from './process-chaos.metrics.js';
import type { ProcessChaos } from './process-chaos.service.js';
import {
  cpuBurnSchema,
  exitSchema,
  livenessFailSchema,
  loopBlockSchema,
  memoryGrowthSchema,
  slowBodySchema,
} from './process-chaos.settings.js';

const startedAt = z.string().meta({ format: 'date-time' });
const running = <S extends z.ZodRawShape>(settings: z.ZodObject<S>) =>
  z.object({ ...settings.shape, startedAt }).nullable();

/**
 * ProcessChaos.state: each fault's settings while it is on, null while it is off. `satisfies`:
 * the serializer drops what the schema does not name, so it must name every field.
 */
const stateSchema = z
  .object({
    eventLoop: running(loopBlockSchema),
    cpu: running(cpuBurnSchema),
    memory: running(memoryGrowthSchema.extend({ heldBytes: z.int() })),
    liveness: running(livenessFailSchema),
    slowBody: running(slowBodySchema),
    exit: z
      .object({ ...exitSchema.shape, at: z.string().meta({ format: 'date-time' }) })
      .nullable()
      .meta({ description: 'A requested exit still waiting its delay.' }),
  })
  .meta({ id: 'ProcessChaosState' }) satisfies z.ZodType<ProcessChaos['state']>;

const tags = ['chaos'];
const state = { description: 'What is on now.', json: stateSchema };
const started = { description: 'Started; what is on now.', json: stateSchema };
const invalid: ProblemCode[] = ['INVALID_INPUT'];

/** `PUT /chaos/process/<fault>`: the handler validates the body with `body.schema`. */
const start = <S extends z.ZodObject>(
  operationId: string,
  summary: string,
  description: string,
  schema: S,
  example: z.input<S>,
) =>
  defineContract({
    operationId,
    summary,
    description,
    tags,
    body: { schema, required: false, example },
    responses: { 202: started },
    problems: invalid,
  });

/** What a DELETE answers: whether it stopped anything, and what is on now. */
const stopped = {
  description: 'Whether it stopped anything, and what is on now.',
  json: z.object({ stopped: z.boolean(), ...stateSchema.shape }),
};

/** `DELETE /chaos/process/<fault>`. */
export const stopFaultContract = (fault: ProcessFault): RouteContract =>
  defineContract({
    operationId: `stopProcessChaos${fault.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
    summary: `Stop the ${fault} fault`,
    ...(fault === 'exit' && { description: 'Cancels an exit still waiting its delay.' }),
    tags,
    responses: { 200: stopped },
    problems: [],
  });

// The examples are sent by the contract test to a live instance: each is the mildest form of
// its fault (a 1 ms block, 1 % of one CPU for 100 ms, 1 MB), and its DELETE follows it there.
/** Admin `/chaos/process` routes (process-chaos.admin.ts). */
export const processChaosContracts = {
  state: defineContract({
    operationId: 'getProcessChaos',
    summary: 'Which whole-process faults are on',
    tags,
    responses: { 200: state },
    problems: [],
  }),
  stopAll: defineContract({
    operationId: 'stopProcessChaos',
    summary: 'Stop every whole-process fault (a pending exit included)',
    tags,
    responses: { 200: stopped },
    problems: [],
  }),
  eventLoop: start(
    'startEventLoopBlock',
    'Block the event loop',
    '`once`: one synchronous busy wait of `blockMs` right after this answer; ' +
      '`every-request`: one before each public request (probes excepted).',
    loopBlockSchema,
    { blockMs: 1, mode: 'once' },
  ),
  cpu: start(
    'startCpuBurn',
    'Burn CPU in worker threads',
    'Each worker is busy `share` of every 100 ms, for `durationMs` (then stops by itself).',
    cpuBurnSchema,
    { share: 0.01, workers: 1, durationMs: 100 },
  ),
  memory: start(
    'startMemoryGrowth',
    'Grow retained memory',
    'Buffers held at `mbPerMinute` up to `capMb`, released when stopped.',
    memoryGrowthSchema,
    { mbPerMinute: 1, capMb: 1 },
  ),
  liveness: start(
    'failLiveness',
    'Fail liveness',
    '/healthz answers 503 LIVENESS_FAILED (on the public and probe ports) until stopped: the ' +
      'kubelet restarts the container.',
    livenessFailSchema,
    { reason: 'liveness failed on purpose' },
  ),
  slowBody: start(
    'startSlowBody',
    'Send public answers slowly',
    'Public non-empty answers (probes and HEAD excepted) lose their Content-Length and go out ' +
      'chunked, `chunkBytes` every `intervalMs`: the same status, headers and body, slowly.',
    slowBodySchema,
    { chunkBytes: 1024, intervalMs: 10 },
  ),
  exit: defineContract({
    operationId: 'exitProcess',
    summary: 'Exit the process',
    description:
      'Exits with `code`, `delayMs` after this answer has left; DELETE /chaos/process/exit ' +
      'cancels one still waiting.',
    tags,
    body: { schema: exitSchema, required: false, example: { code: 3, delayMs: 0 } },
    responses: { 202: { description: 'The exit is scheduled.', json: stateSchema } },
    problems: invalid,
    destructive: 'the process that answers exits',
  }),
};
