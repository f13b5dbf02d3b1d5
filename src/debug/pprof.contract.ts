import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';

const profile = {
  description: 'A gzipped pprof protobuf (read it with `go tool pprof`).',
  content: {
    'application/octet-stream': { type: 'string', contentMediaType: 'application/octet-stream' },
  },
  headers: { 'content-disposition': { description: 'attachment; filename=…' } },
};

/**
 * `?seconds=`: its bound (DEBUG_PPROF_MAX_SECONDS) is configuration, checked by PprofAdmin.
 * Strict, as the public routes' queries: `?secnds=5` sampled for the default 30 s (capped).
 */
export const profileQuery = z.strictObject({
  seconds: z
    .string()
    .optional()
    .meta({
      description: 'Integer 1..DEBUG_PPROF_MAX_SECONDS; default 30 (capped).',
      examples: ['1'],
    }),
  token: z
    .string()
    .optional()
    .meta({ description: 'ADMIN_TOKEN, for tools that cannot send a header.' }),
});

/**
 * The heap profile's: only the token. Go's handler also reads `seconds` (a delta profile), `gc`
 * and `debug` (text); this one honours none of them, so each is refused rather than ignored.
 */
export const heapQuery = profileQuery.pick({ token: true });

/** Admin `/debug/pprof/*` (pprof.admin.ts): registered only with DEBUG_PPROF_ENABLED=true. */
export const pprofContracts = {
  profile: defineContract({
    operationId: 'getCpuProfile',
    summary: 'CPU profile over `seconds`',
    tags: ['debug'],
    query: profileQuery,
    responses: { 200: profile },
    problems: ['INVALID_INPUT', 'PROFILE_IN_PROGRESS'],
  }),
  heap: defineContract({
    operationId: 'getHeapProfile',
    summary: 'Heap (allocation sampling) profile',
    tags: ['debug'],
    query: heapQuery,
    responses: { 200: profile },
    problems: ['INVALID_INPUT', 'PROFILE_IN_PROGRESS'],
  }),
};
