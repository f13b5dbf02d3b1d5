import { Controller, Get, Header } from '@nestjs/common';
import { ApiContract } from '../openapi/contract.decorator.js';
import { versionContract } from './version.contract.js';
import { VersionService } from './version.service.js';

/**
 * Public `GET /version`: which build runs here (commit, version) and under which CPU and memory
 * limits. Used after a rollout to check every pod runs the expected commit, and by the chart's
 * `helm test`-style checks; /api/info carries the same fields.
 */
@Controller()
export class VersionController {
  constructor(private readonly versions: VersionService) {}

  @Get('version')
  @Header('cache-control', 'no-store')
  @ApiContract(versionContract)
  version() {
    return this.versions.version();
  }
}
