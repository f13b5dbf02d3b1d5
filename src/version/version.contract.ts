import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';
import type { VersionAnswer } from './version.service.js';

const unlimited = z.literal('unlimited');

/** build-info.ts: what `npm run build` recorded. */
export const buildInfoSchema = z
  .object({
    commit: z.string().meta({ description: 'Full commit id, or "unknown" without build info.' }),
    dirty: z.boolean().meta({ description: 'The build had uncommitted changes.' }),
    version: z.string().meta({ description: 'package.json’s version at build time.' }),
  })
  .meta({ id: 'BuildInfo' });

/** cgroup.limits.ts, plus V8's heap limit (version.service.ts). */
export const limitsSchema = z
  .object({
    cgroup: z.enum(['v2', 'v1', 'none']),
    cpu: z
      .union([z.number(), unlimited])
      .meta({ description: 'CPUs’ worth of time (0.5 = half).' }),
    memoryBytes: z.union([z.int(), unlimited]),
    heapLimitBytes: z.int().meta({ description: 'V8’s old-space limit.' }),
  })
  .meta({ id: 'Limits' });

// `satisfies`: the serializer drops what the schema does not name, so it must name every field.
export const versionSchema = z
  .object({
    service: z.string(),
    version: z.string().meta({ description: 'SERVICE_VERSION.' }),
    commit: z.string(),
    build: buildInfoSchema,
    nodeVersion: z.string(),
    limits: limitsSchema,
  })
  .meta({ id: 'Version' }) satisfies z.ZodType<VersionAnswer>;

/** Public `GET /version` (version.controller.ts). */
export const versionContract = defineContract({
  operationId: 'getVersion',
  summary: 'The running build and its resource limits',
  description:
    'Which commit runs here and under which CPU and memory limits (at most a second old: a ' +
    'pod can be resized in place). /api/info carries the same `commit`, `build` and `limits`.',
  tags: ['meta'],
  responses: {
    200: {
      description: 'The build.',
      json: versionSchema,
      headers: { 'cache-control': { description: '`no-store`.', required: true } },
    },
  },
  problems: [],
});
