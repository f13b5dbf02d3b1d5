import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ProblemFilter } from './problem.filter.js';

/** Installs the single exception-to-problem+json mapping for every controller. */
@Module({ providers: [{ provide: APP_FILTER, useClass: ProblemFilter }] })
export class ErrorsModule {}
