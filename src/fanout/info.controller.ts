import { Controller, Get, Inject } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { IdentityService } from './identity.service.js';

/**
 * Public `GET /api/info`: who is answering. Used by people and load-balancer checks to see
 * which pod served a request, and by the README's worked example.
 */
@Controller('api')
export class InfoController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly inFlight: InFlightRegistry,
  ) {}

  @Get('info')
  info() {
    return {
      ...this.identity.identity,
      namespace: this.config.POD_NAMESPACE,
      node: this.config.NODE_NAME,
      uptimeSeconds: Math.round(process.uptime() * 10) / 10,
      nodeVersion: process.version,
      // This request included.
      inFlightRequests: this.inFlight.size,
    };
  }
}
