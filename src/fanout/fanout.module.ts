import { Module } from '@nestjs/common';
import { UpstreamModule } from '../upstream/upstream.module.js';
import { VersionModule } from '../version/version.module.js';
import { FanoutController } from './fanout.controller.js';
import { FanoutService } from './fanout.service.js';
import { EchoController } from './echo.controller.js';
import { HeadersController } from './headers.controller.js';
import { InfoController } from './info.controller.js';
import { DatabaseModule } from '../database/database.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';

/**
 * Calls to BACKEND_URLS and the checks around them: `GET /api/fanout` (every backend, chains),
 * `GET /api/info` (identity), and the ingress/mesh checks `GET /headers` and `POST /echo`.
 */
@Module({
  imports: [UpstreamModule, DatabaseModule, RequestContextModule, VersionModule],
  controllers: [FanoutController, InfoController, HeadersController, EchoController],
  providers: [FanoutService],
})
export class FanoutModule {}
