import { Global, Module } from '@nestjs/common';
import { logger } from './logger.js';

/** Injection token for the root pino logger; take a child per module (`{ module: 'x' }`). */
export const LOGGER = Symbol('LOGGER');

@Global()
@Module({ providers: [{ provide: LOGGER, useValue: logger }], exports: [LOGGER] })
export class LoggingModule {}
