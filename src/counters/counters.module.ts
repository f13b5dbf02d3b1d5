import { Module } from '@nestjs/common';
import { CountersController } from './counters.controller.js';
import { CountersRepository } from './counters.repository.js';
import { CountersService } from './counters.service.js';

/** `/api/counters`: atomic increments, concurrent ones of a name combined into one statement. */
@Module({ controllers: [CountersController], providers: [CountersService, CountersRepository] })
export class CountersModule {}
