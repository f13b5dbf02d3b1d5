import type { FastifyRequest } from 'fastify';
import { routeOf } from '../http/matched-route.js';

/** Kubelet probe routes. Load shedding, chaos, tracing and access logs leave these alone. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/startupz']);

/**
 * Whether a request is a kubelet probe, by its matched route template: query strings
 * (`/healthz?x`) cannot hide a probe, and nothing is parsed on the hot path.
 */
export function isProbe(request: FastifyRequest): boolean {
  const route = routeOf(request);
  return route !== undefined && PROBE_PATHS.has(route);
}
