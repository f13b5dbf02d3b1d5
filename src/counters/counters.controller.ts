import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CountersRepository } from './counters.repository.js';
import { parseCounterName, parseIncrement } from './counters.input.js';

/** Public `/api/counters/:name`: shared counters, the seed's "shared state race" made safe. */
@Controller('api/counters')
export class CountersController {
  constructor(private readonly counters: CountersRepository) {}

  @Get(':name')
  async get(@Param('name') raw: string): Promise<{ name: string; value: number }> {
    const name = parseCounterName(raw);
    return { name, value: await this.counters.get(name) };
  }

  /** Adds `by` (default 1) and answers the new value, atomically across all replicas. */
  @Post(':name/increment')
  @HttpCode(200)
  async increment(
    @Param('name') raw: string,
    @Body() body: unknown,
  ): Promise<{ name: string; value: number }> {
    const name = parseCounterName(raw);
    const by = parseIncrement(body);
    return { name, value: await this.counters.increment(name, by) };
  }
}
