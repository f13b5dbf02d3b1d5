import { Module } from '@nestjs/common';
import { UpstreamClient } from './upstream.client.js';
import { UpstreamPolicies } from './upstream.policies.js';
import { UpstreamService } from './upstream.service.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';

/**
 * Pooled HTTP clients to BACKEND_URLS, every call behind its backend's cockatiel policy
 * (upstream.policies.ts builds them: timeout, retry with budget, breaker, bulkhead).
 */
@Module({
  imports: [MetricsModule, RequestContextModule],
  providers: [UpstreamClient, UpstreamPolicies, UpstreamService],
  exports: [UpstreamService],
})
export class UpstreamModule {}
