import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';
import { HELLO_MESSAGE } from './hello.service.js';

/**
 * `?delay=`: its bound (HELLO_MAX_DELAY_MS) is configuration, checked by HelloService. Strict, as
 * every route's query: `?dealy=2s` answered at once, as if the wait had been asked for and done.
 */
export const helloQuery = z.strictObject({
  delay: z
    .string()
    .optional()
    .meta({
      description:
        'Wait this long first (ms or a duration: `150ms`, `2s`), up to HELLO_MAX_DELAY_MS.',
      examples: ['150ms'],
    }),
});

/** `GET /hello`: what hello.controller.ts answers. */
export const helloContract = defineContract({
  operationId: 'getHello',
  summary: 'A greeting, after an optional cancellable wait',
  description: 'The seed’s concurrency demo; load tests and benchmarks call it.',
  tags: ['hello'],
  query: helloQuery,
  responses: {
    200: {
      description: 'The greeting.',
      content: { 'text/plain': { type: 'string', examples: [HELLO_MESSAGE] } },
    },
  },
  problems: ['INVALID_INPUT'],
});
