import { Module } from '@nestjs/common';
import { VersionController } from './version.controller.js';
import { IdentityService } from './identity.service.js';
import { VersionService } from './version.service.js';

/**
 * Who is answering: `GET /version` (build commit, resource limits), and the identity and version
 * services /api/info, /echo and the landing page show.
 */
@Module({
  controllers: [VersionController],
  providers: [VersionService, IdentityService],
  exports: [VersionService, IdentityService],
})
export class VersionModule {}
