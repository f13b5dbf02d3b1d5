import { Module } from '@nestjs/common';
import { CountersController } from './counters.controller.js';
import { CountersRepository } from './counters.repository.js';

/** `/api/counters`: atomic increments in one SQL statement. */
@Module({ controllers: [CountersController], providers: [CountersRepository] })
export class CountersModule {}
