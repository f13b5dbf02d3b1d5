import { Module } from '@nestjs/common';
import { CountersController } from './counters.controller.js';
import { CountersRepository } from './counters.repository.js';
import { CountersService } from './counters.service.js';
import { DatabaseModule } from '../database/database.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';

/** `/api/counters`: atomic increments, concurrent ones of a name combined into one statement. */
@Module({
  imports: [DatabaseModule, MetricsModule, RequestContextModule],
  controllers: [CountersController],
  providers: [CountersService, CountersRepository],
})
export class CountersModule {}
