import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';
import type { HomeContent } from './home.page.js';

// `satisfies`: the serializer drops what the schema does not name, so it must name every field.
const homeSchema = z
  .object({
    service: z.string(),
    version: z.string(),
    pod: z.string(),
    color: z.string().optional().meta({ description: 'UI_COLOR.' }),
    message: z.string().optional().meta({ description: 'UI_MESSAGE.' }),
  })
  .meta({ id: 'Home' }) satisfies z.ZodType<HomeContent>;

/** Public `GET /` (home.controller.ts). */
export const homeContract = defineContract({
  operationId: 'getHome',
  summary: 'Which pod answered, for a person or a script',
  description:
    'An HTML page when `Accept` gives text/html a weight above 0 and above JSON’s, or equal ' +
    'to it from a range at least as specific that is not */* (a browser’s navigation); each ' +
    'weighs what the most specific range matching it says (RFC 9110 §12.5.1). The same fields ' +
    'as JSON otherwise, also when neither is acceptable (`Vary: Accept`). Used to watch a ' +
    'rollout or a canary from a browser tab.',
  tags: ['meta'],
  responses: {
    200: {
      description: 'This instance, as JSON or as an HTML page.',
      json: homeSchema,
      content: { 'text/html': { type: 'string' } },
      headers: {
        vary: { description: '`Accept`.', required: true },
        'cache-control': { description: '`no-store`.', required: true },
      },
    },
  },
  problems: [],
});

/**
 * Public `GET /favicon.ico`: a browser asks for it beside any page or JSON it shows (the
 * problem+json of a mistyped URL included); answered, it is no 404 among the status page's errors.
 */
export const faviconContract = defineContract({
  operationId: 'getFavicon',
  summary: 'No icon, on purpose',
  description: 'Answers 204 so browsers stop asking for a day.',
  tags: ['meta'],
  responses: {
    204: {
      description: 'No icon.',
      headers: { 'cache-control': { description: '`public, max-age=86400`.', required: true } },
    },
  },
  problems: [],
});
