import { z } from 'zod';
import { DATABASE_PROBLEMS } from '../database/database.errors.js';
import { defineContract } from '../openapi/route.contract.js';
import { buildInfoSchema, limitsSchema } from '../version/version.contract.js';

const identity = {
  service: z.string(),
  version: z.string(),
  pod: z.string().meta({ description: 'POD_NAME (downward API), else the hostname.' }),
  hostname: z.string(),
};

const fanoutEntrySchema = z
  .object({
    url: z.string(),
    ok: z.boolean().meta({ description: 'The backend answered below 400.' }),
    status: z.int().meta({ description: 'The backend’s status, or our error’s (503, 504).' }),
    latencyMs: z.number(),
    body: z
      .unknown()
      .optional()
      .meta({
        description:
          'The backend’s answer (nested fan-out), its numbers as the backend wrote them; text ' +
          'when it is not JSON or is JSON a request body could not be (too deep or wide, a ' +
          'repeated key, a __proto__ key).',
      }),
    error: z.string().optional().meta({ description: 'Problem code when the call failed.' }),
    detail: z.string().optional(),
    degraded: z.boolean().meta({ description: 'A fallback stands in for the answer.' }),
  })
  .meta({ id: 'FanoutEntry' });

/** `GET /api/fanout`: this instance, then one entry per backend, or on a leaf a database read. */
export const fanoutAnswerSchema = z
  .object({
    ...identity,
    degraded: z.boolean().meta({ description: 'Any entry, at any depth, is degraded.' }),
    backends: z.array(fanoutEntrySchema).optional(),
    database: z
      .object({ database: z.string(), readAt: z.string().meta({ format: 'date-time' }) })
      .optional()
      .meta({ description: 'The leaf’s database read (no BACKEND_URLS).' }),
  })
  .meta({ id: 'FanoutAnswer' });

const infoSchema = z
  .object({
    ...identity,
    namespace: z.string().optional(),
    node: z.string().optional(),
    uptimeSeconds: z.number(),
    nodeVersion: z.string(),
    inFlightRequests: z.int().meta({ description: 'This request included.' }),
    // The same as GET /version's.
    commit: z.string(),
    build: buildInfoSchema,
    limits: limitsSchema,
  })
  .meta({ id: 'Info' });

export const fanoutContracts = {
  fanout: defineContract({
    operationId: 'getFanout',
    summary: 'Call every backend and nest their answers',
    description:
      'A failing backend becomes a degraded entry with its problem code; it never fails the ' +
      'whole answer. A leaf (no BACKEND_URLS) reads the database instead.',
    tags: ['fanout'],
    responses: {
      200: { description: 'This instance and its backends.', json: fanoutAnswerSchema },
    },
    problems: [...DATABASE_PROBLEMS],
  }),
  info: defineContract({
    operationId: 'getInfo',
    summary: 'Which pod is answering',
    tags: ['fanout'],
    responses: { 200: { description: 'This instance.', json: infoSchema } },
    problems: [],
  }),
};
