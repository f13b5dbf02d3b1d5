import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';
import type { StatusSnapshot } from './status.snapshot.js';

const counted = z.object({ total: z.number(), recent: z.number() });
const countedBy = z.record(z.string(), counted);

/**
 * status.snapshot.ts, as `GET /status.json` answers it. The serializer drops what the schema
 * does not name: `satisfies` fails the build when the snapshot gains a field this lacks.
 */
const statusSnapshotSchema = z
  .object({
    service: z.string(),
    version: z.string(),
    pod: z.string(),
    nodeVersion: z.string(),
    uptimeSeconds: z.number(),
    windowSeconds: z.number().meta({ description: 'Seconds the "recent" figures cover.' }),
    readiness: z
      .object({
        ready: z.boolean(),
        checks: z.array(z.object({ name: z.string(), status: z.string(), detail: z.string() })),
      })
      .meta({
        description: 'The readiness checks as they stand: /readyz, not counted as a probe.',
      }),
    requests: z.object({
      inFlight: z.number(),
      admission: z.object({
        enabled: z.boolean(),
        limit: z.number(),
        admitted: z.number(),
        queued: z.number(),
        refusals: countedBy,
        connections: z.number().meta({ description: 'Open connections on the public port.' }),
        holdingConnections: z.boolean().meta({
          description:
            'Sustained CPU-bound overload: the port listens only below the limit, the kernel refuses other connects.',
        }),
      }),
    }),
    database: z.object({
      inUse: z.number().nullable(),
      idle: z.number().nullable(),
      max: z.number().nullable(),
      waiting: z.number().nullable(),
      acquireP99: z.object({ ms: z.number(), above: z.boolean() }).nullable(),
      breaker: z.enum(['closed', 'open']).nullable(),
    }),
    upstreams: z.array(z.object({ backend: z.string(), state: z.string(), outcomes: countedBy })),
    cache: z.object({
      hitRatio: z.number().nullable(),
      recentHitRatio: z.number().nullable(),
      results: countedBy,
    }),
    eventLoop: z.object({
      utilization: z.number(),
      delayMaxMs: z.number(),
      delayMeanMs: z.number(),
    }),
    errors: z.array(z.object({ code: z.string(), total: z.number(), recent: z.number() })),
    traces: z
      .object({
        held: z.number(),
        capacity: z.number(),
        recorded: z.number(),
        approxBytes: z.number(),
        keptShare: z.number().meta({
          description: 'Share of sampled traces the store keeps this second (1 unless under load).',
        }),
      })
      .nullable()
      .meta({ description: 'The span store (null without the telemetry preload).' }),
  })
  .meta({ id: 'StatusSnapshot' }) satisfies z.ZodType<StatusSnapshot>;

const tags = ['status'];

/** Admin `GET /` and `GET /status.json` (status.admin.ts). */
export const statusContracts = {
  page: defineContract({
    operationId: 'getStatusPage',
    summary: 'Live status page',
    description: 'For a person who port-forwarded the admin port; it polls /status.json.',
    tags,
    responses: {
      200: {
        description: 'The HTML page.',
        content: { 'text/html': { type: 'string' } },
        headers: { 'cache-control': { description: '`no-cache`.', required: true } },
      },
    },
    problems: [],
  }),
  // A browser showing any admin answer asks for it; answered, it is no 404 among the errors.
  favicon: defineContract({
    operationId: 'getAdminFavicon',
    summary: 'No icon, on purpose',
    tags,
    responses: {
      204: {
        description: 'No icon.',
        headers: { 'cache-control': { description: '`public, max-age=86400`.', required: true } },
      },
    },
    problems: [],
  }),
  snapshot: defineContract({
    operationId: 'getStatusSnapshot',
    summary: 'The status page’s figures',
    tags,
    responses: {
      200: {
        description: 'Requests, database, backends, cache, event loop, errors, traces.',
        json: statusSnapshotSchema,
        headers: { 'cache-control': { description: '`no-store`.', required: true } },
      },
    },
    problems: [],
  }),
};
