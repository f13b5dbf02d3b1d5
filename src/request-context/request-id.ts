import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Honours a sane incoming `x-request-id`, otherwise makes one. Fastify's genReqId on both
 * listeners, and admission's refusals before Fastify runs.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
