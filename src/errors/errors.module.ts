import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ProblemCounts } from './problem.counts.js';
import { ProblemFilter } from './problem.filter.js';

/**
 * Installs the single exception-to-problem+json mapping for every controller, and the app's
 * problem counts by code (attached to each listener's Fastify instance).
 */
@Module({
  providers: [{ provide: APP_FILTER, useClass: ProblemFilter }, ProblemCounts],
  exports: [ProblemCounts],
})
export class ErrorsModule {}
