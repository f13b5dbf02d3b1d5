import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { OpenApiAdmin } from './openapi.admin.js';
import { OpenApiController } from './openapi.controller.js';
import { OpenApiService } from './openapi.service.js';

/** The API contract made visible: both listeners' OpenAPI documents and the /docs page. */
@Module({
  imports: [AdminModule],
  controllers: [OpenApiController],
  providers: [OpenApiService, OpenApiAdmin],
  exports: [OpenApiService],
})
export class OpenApiModule {}
