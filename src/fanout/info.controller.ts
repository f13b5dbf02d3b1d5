import { Controller, Get, Inject } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { VersionService } from '../version/version.service.js';
import { IdentityService } from '../version/identity.service.js';
import { ApiContract } from '../openapi/contract.decorator.js';
import { fanoutContracts } from './fanout.contract.js';

/**
 * Public `GET /api/info`: who is answering. Used by people and load-balancer checks to see
 * which pod served a request, and by the README's worked example.
 */
@Controller('api')
export class InfoController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly versions: VersionService,
    private readonly inFlight: InFlightRegistry,
  ) {}

  @Get('info')
  @ApiContract(fanoutContracts.info)
  async info() {
    const { commit, build, limits } = await this.versions.version();
    return {
      ...this.identity.identity,
      namespace: this.config.POD_NAMESPACE,
      node: this.config.NODE_NAME,
      uptimeSeconds: Math.round(process.uptime() * 10) / 10,
      nodeVersion: process.version,
      // This request included.
      inFlightRequests: this.inFlight.size,
      commit,
      build,
      limits,
    };
  }
}
