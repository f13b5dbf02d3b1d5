import { Module } from '@nestjs/common';
import { UpstreamPolicies } from './upstream.policies.js';

/** cockatiel policies for every downstream call (upstream.policies.ts builds them). */
@Module({ providers: [UpstreamPolicies], exports: [UpstreamPolicies] })
export class ResilienceModule {}
