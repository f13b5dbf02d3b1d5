import { Module } from '@nestjs/common';
import { UpstreamModule } from '../upstream/upstream.module.js';
import { FanoutController } from './fanout.controller.js';
import { FanoutService } from './fanout.service.js';
import { IdentityService } from './identity.service.js';
import { InfoController } from './info.controller.js';
import { DatabaseModule } from '../database/database.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';

/** `GET /api/fanout` (calls every backend, chains) and `GET /api/info` (identity). */
@Module({
  imports: [UpstreamModule, DatabaseModule, RequestContextModule],
  controllers: [FanoutController, InfoController],
  providers: [FanoutService, IdentityService],
})
export class FanoutModule {}
