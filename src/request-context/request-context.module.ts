import { Module } from '@nestjs/common';
import { InFlightRegistry } from './in-flight.registry.js';
import { RequestContextService } from './request-context.service.js';

/** The current request's id, deadline and signal, and the requests in flight. */
@Module({
  providers: [RequestContextService, InFlightRegistry],
  exports: [RequestContextService, InFlightRegistry],
})
export class RequestContextModule {}
