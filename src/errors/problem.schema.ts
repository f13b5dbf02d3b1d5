import { z } from 'zod';

/** One entry of a problem's `errors`: which field, and what is wrong with it. */
export const fieldProblemSchema = z
  .object({
    field: z.string().meta({ examples: ['name'] }),
    message: z.string().meta({ examples: ['Too small: expected string to have >=1 characters'] }),
  })
  .meta({ id: 'FieldProblem' });

/**
 * The body of every error answer (`application/problem+json`, RFC 9457), as problem.ts builds
 * it. Open: a code may add members (`currentEtag`, `checks`, `backend`, `limit`).
 */
export const problemSchema = z
  .looseObject({
    type: z.string().meta({ examples: ['urn:rampart:problem:item-not-found'] }),
    title: z.string().meta({ examples: ['Not Found'] }),
    status: z.int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional().meta({ description: 'The request path.' }),
    code: z.string().meta({ description: 'Stable code; clients switch on it.' }),
    requestId: z.string().optional().meta({ description: 'Also in the x-request-id header.' }),
    traceId: z.string().optional().meta({ description: 'W3C trace id, when traced.' }),
    errors: z
      .array(fieldProblemSchema)
      .optional()
      .meta({ description: 'The first 20 field problems, each text cut at 200 characters.' }),
    moreErrors: z
      .int()
      .min(1)
      .optional()
      .meta({ description: 'How many problems past the first 20 were not listed.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable `code`.' });
