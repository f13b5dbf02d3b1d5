import { z } from 'zod';
import { fanoutAnswerSchema } from './fanout.contract.js';
import { idempotencyKeyHeader } from '../openapi/idempotency-key.header.js';
import { defineContract } from '../openapi/route.contract.js';

export const echoHeaders = z.object({
  'idempotency-key': idempotencyKeyHeader(
    'Forwarded to each backend, whose /echo may then be retried: the backend deduplicates.',
    '3f1c2a9e-echo',
  ),
});

const headersSchema = z
  .object({
    method: z.string(),
    url: z.string(),
    httpVersion: z.string(),
    remoteAddress: z.string().optional().meta({ description: 'The socket’s peer.' }),
    // Optional like remoteAddress: a peer that reset its connection has no address any more
    // (getpeername fails), and the handler can run before its close is noticed.
    clientIp: z.string().optional().meta({
      description:
        'The client address the service uses (rate limit, access log, trace) after TRUST_PROXY.',
    }),
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).meta({
      description:
        'Node’s merged view. A credential (Authorization, Cookie, Set-Cookie, X-Api-Key, ' +
        'X-Auth-Token, X-CSRF-Token, …) shows as `[redacted: N characters]`.',
    }),
    rawHeaders: z.array(z.array(z.string()).length(2)).meta({
      description:
        '`[name, value]` pairs in the order, case and repeats received; credentials redacted ' +
        'as in `headers`.',
    }),
  })
  .meta({ id: 'ReceivedRequest' });

const tags = ['mesh'];

/** Public `GET /headers` and `POST /echo` (headers.controller.ts, echo.controller.ts). */
export const meshContracts = {
  headers: defineContract({
    operationId: 'getHeaders',
    summary: 'The request as it arrived here',
    description:
      'For checking what an ingress, gateway or mesh sidecar adds, strips or rewrites ' +
      '(X-Forwarded-*, trace headers, Host).',
    tags,
    responses: {
      200: {
        description: 'The request line, addresses and headers.',
        json: headersSchema,
        headers: { 'cache-control': { description: '`no-store`.', required: true } },
      },
    },
    problems: [],
  }),
  echo: defineContract({
    operationId: 'postEcho',
    summary: 'Answer the JSON body back, or forward it to every backend',
    description:
      'Without BACKEND_URLS the body comes back as sent (any JSON value), 204 without one. ' +
      'With them it is forwarded to each backend’s /echo (trace and mesh headers kept, within ' +
      'the deadline, not retried unless it carries an Idempotency-Key, which is forwarded) and ' +
      'the answer is a FanoutAnswer, one entry per backend.',
    tags,
    headers: echoHeaders,
    body: {
      schema: z.unknown().meta({ description: 'Any JSON value.' }),
      required: false,
      example: { check: 'mesh' },
    },
    responses: {
      200: {
        description: 'The body echoed, or each backend’s answer.',
        // A string answer (the echo) is sent as serialized by the handler; only the fan-out
        // object goes through the schema's serializer.
        json: z.union([fanoutAnswerSchema, z.unknown()]),
      },
      204: { description: 'No body was sent, and there is no backend.' },
    },
    problems: ['INVALID_INPUT'],
  }),
};
