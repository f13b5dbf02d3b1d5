import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';
import { BUCKET_LABELS } from './tracez.summary.js';

const text = z.string('expected one value').max(500, 'expected at most 500 characters');
const lastBucket = BUCKET_LABELS.length - 1;
const bucketMessage = `expected 0 to ${lastBucket}`;

/**
 * `GET /debug/tracez` query, parsed with this schema by tracez.admin.ts. Strict, as the public
 * routes' queries: `?nme=GET` listed every span name, as if the page had been asked for none.
 */
export const tracezQuery = z.strictObject({
  name: text.optional().meta({ description: 'A span name: its recent, slowest or failed spans.' }),
  view: z
    .enum(['recent', 'slowest', 'failed'], 'expected recent, slowest or failed')
    .optional()
    .meta({ description: 'Which spans to list; `recent` when only `name` is given.' }),
  bucket: z
    .string('expected one value')
    .regex(/^\d$/, bucketMessage)
    .transform(Number)
    .pipe(z.int().min(0).max(lastBucket, bucketMessage))
    .optional()
    .meta({
      description: `Latency bucket: ${BUCKET_LABELS.map((l, i) => `${i} ${l}`).join(', ')}.`,
    }),
  trace: z
    .string('expected one value')
    .regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex digits')
    .optional()
    .meta({ description: 'A trace id: that trace as a waterfall.' }),
  token: text
    .optional()
    .meta({ description: 'Kept in the page’s links; the trace view itself needs no token.' }),
});

/** Admin `GET /debug/tracez` (tracez.admin.ts): registered unless TRACEZ_ENABLED=false. */
export const tracezContract = defineContract({
  operationId: 'getTracez',
  summary: 'The spans this process kept, as an HTML page',
  description:
    'Per span name, counts by latency bucket and errors; a name’s recent, slowest or failed ' +
    'spans; one trace as a waterfall. Says so when tracing did not start in this process.',
  tags: ['debug'],
  query: tracezQuery,
  responses: {
    200: {
      description: 'The HTML page.',
      content: { 'text/html': { type: 'string' } },
      headers: { 'cache-control': { description: '`no-store`.', required: true } },
    },
  },
  problems: ['INVALID_INPUT'],
});
