import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';
import { chaosSettingsSchema } from './chaos.settings.js';

const STATUS_RANGE = 'expected a status from 200 to 599';
export const statusParams = z.strictObject({
  code: z
    .string()
    .regex(/^\d{3}$/, STATUS_RANGE)
    .transform(Number)
    .pipe(z.int().min(200, STATUS_RANGE).max(599, STATUS_RANGE))
    .meta({ examples: [200] }),
});

export const delayParams = z.strictObject({
  duration: z.string().meta({
    description: 'Milliseconds or a duration (`250`, `250ms`, `2s`), up to HELLO_MAX_DELAY_MS.',
    examples: ['10ms'],
  }),
});

const statusAnswer = z.object({ status: z.int(), title: z.string().optional() });
const tags = ['chaos'];

/** The public fault endpoints of chaos.controller.ts and the admin `/chaos` of chaos.admin.ts. */
export const chaosContracts = {
  status: defineContract({
    operationId: 'getStatus',
    summary: 'Answer the status asked for',
    description:
      '2xx and 3xx answer `{status, title}` (204, 205 and 304 no body; 206 with a ' +
      '`Content-Range` of the whole body; 301, 302, 303, 307 and 308 with `Location: /hello`); ' +
      '4xx and 5xx a ' +
      'problem with code REQUESTED_STATUS, with the header HTTP requires of the status: ' +
      '401 `WWW-Authenticate`, 405 an empty `Allow`, 407 `Proxy-Authenticate`, ' +
      '408 `Connection: close`, 416 `Content-Range`, 426 `Upgrade`.',
    tags,
    params: statusParams,
    responses: {
      '2XX': { description: 'The status asked for.', json: statusAnswer },
      // Named apart: these two never carry a body (RFC 9110 §15.3.5, §15.4.5).
      204: { description: 'No Content, no body.' },
      '3XX': { description: 'The status asked for.', json: statusAnswer },
      304: { description: 'Not Modified, no body.' },
    },
    problems: ['INVALID_INPUT', 'REQUESTED_STATUS'],
  }),
  delay: defineContract({
    operationId: 'getDelay',
    summary: 'Wait, cancellably, then answer',
    tags,
    params: delayParams,
    responses: {
      200: { description: 'Waited.', json: z.object({ delayedMs: z.number() }) },
    },
    problems: ['INVALID_INPUT'],
  }),
  getSettings: defineContract({
    operationId: 'getChaos',
    summary: 'Current fault injection settings',
    tags,
    responses: { 200: { description: 'The settings.', json: chaosSettingsSchema } },
    problems: [],
  }),
  putSettings: defineContract({
    operationId: 'putChaos',
    summary: 'Replace the fault injection settings',
    description: 'Applies to every public route but the probes; missing fields are "off".',
    tags,
    body: {
      schema: chaosSettingsSchema,
      required: false,
      example: { errorRate: 0.1, errorStatus: 503, latencyMs: 50 },
    },
    responses: { 200: { description: 'The settings now in force.', json: chaosSettingsSchema } },
    problems: ['INVALID_INPUT'],
  }),
  deleteSettings: defineContract({
    operationId: 'deleteChaos',
    summary: 'Switch fault injection off',
    tags,
    responses: { 200: { description: 'The settings now in force.', json: chaosSettingsSchema } },
    problems: [],
  }),
};
