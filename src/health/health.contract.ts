import { z } from 'zod';
import type { ProblemCode } from '../errors/problem.catalog.js';
import { defineContract } from '../openapi/route.contract.js';

const check = z.looseObject({ status: z.string() });
/** @nestjs/terminus's answer: every check by name, split by outcome. */
const healthSchema = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: z.record(z.string(), check).optional(),
    error: z.record(z.string(), check).optional(),
    details: z.record(z.string(), check),
  })
  .meta({ id: 'Health', examples: [{ status: 'ok', info: {}, error: {}, details: {} }] });

const probe = (
  operationId: string,
  summary: string,
  description: string,
  problems: readonly ProblemCode[],
) =>
  defineContract({
    operationId,
    summary,
    description,
    tags: ['probes'],
    probe: true,
    responses: { 200: { description: 'Healthy.', json: healthSchema } },
    problems,
  });

/** The probe routes of health.controller.ts (the kubelet calls the same checks on PROBE_PORT). */
export const healthContracts = {
  liveness: probe(
    'getLiveness',
    'Liveness probe',
    'No I/O: answers while the event loop turns. 503 LIVENESS_FAILED only while an operator ' +
      'fails it on purpose (admin PUT /chaos/process/liveness).',
    ['LIVENESS_FAILED'],
  ),
  readiness: probe(
    'getReadiness',
    'Readiness probe',
    'Lifecycle flags (starting, draining, disabled by an operator) and dependencies; 503 ' +
      'NOT_READY names the failed checks in `checks`.',
    ['NOT_READY'],
  ),
  startup: probe('getStartup', 'Startup probe', '200 once start-up finished.', ['NOT_READY']),
};
