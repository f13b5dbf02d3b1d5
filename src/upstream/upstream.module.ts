import { Module } from '@nestjs/common';
import { ResilienceModule } from '../resilience/resilience.module.js';
import { UpstreamClient } from './upstream.client.js';
import { UpstreamService } from './upstream.service.js';

/** Pooled HTTP clients to BACKEND_URLS, every call behind its backend's policy. */
@Module({
  imports: [ResilienceModule],
  providers: [UpstreamClient, UpstreamService],
  exports: [UpstreamService],
})
export class UpstreamModule {}
