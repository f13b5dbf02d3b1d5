import { Module } from '@nestjs/common';
import { FanoutModule } from '../fanout/fanout.module.js';
import { UpstreamModule } from '../upstream/upstream.module.js';
import { EchoController } from './echo.controller.js';
import { HeadersController } from './headers.controller.js';

/** Ingress and mesh checks: `GET /headers` (the request as received), `POST /echo`. */
@Module({
  imports: [FanoutModule, UpstreamModule],
  controllers: [HeadersController, EchoController],
})
export class MeshModule {}
