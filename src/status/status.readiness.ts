import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { ReadinessCheck, StatusSnapshot } from './status.snapshot.js';

/**
 * The status page's readiness panel from the checks' results (ReadinessService.currentChecks):
 * one row per check with its scalar fields as `key=value`, as /readyz gives them. Nested
 * objects are left out: the pool's figures have a card of their own. Ready unless a check is
 * down: a degraded dependency (the database, Redis) keeps the pod serving.
 */
export function readinessOf(result: HealthIndicatorResult): StatusSnapshot['readiness'] {
  const checks: ReadinessCheck[] = Object.entries(result).map(([name, { status, ...fields }]) => ({
    name,
    status: String(status),
    detail: Object.entries(fields)
      .filter(([, value]) => value === null || typeof value !== 'object')
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' '),
  }));
  return { ready: checks.every((c) => c.status !== 'down'), checks };
}
