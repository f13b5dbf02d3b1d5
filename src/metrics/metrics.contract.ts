import { defineContract } from '../openapi/route.contract.js';

/** Admin `GET /metrics` (metrics.admin.ts). */
export const metricsContract = defineContract({
  operationId: 'getMetrics',
  summary: 'Prometheus metrics',
  description: 'Scraped by Prometheus (the ServiceMonitor). Absent when METRICS_ENABLED=false.',
  tags: ['observability'],
  responses: {
    200: {
      description: 'Prometheus text exposition format 0.0.4.',
      content: { 'text/plain': { type: 'string' } },
    },
  },
  problems: [],
});
