import { Global, Module } from '@nestjs/common';
import { RequestContextService } from './request-context.service.js';

/** Global: every module may ask for the current request's deadline and signal. */
@Global()
@Module({ providers: [RequestContextService], exports: [RequestContextService] })
export class RequestContextModule {}
