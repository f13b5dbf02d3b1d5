import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiContract } from '../openapi/contract.decorator.js';
import { refuseQuery } from '../openapi/contract.input.js';
import { countersContracts } from './counters.contract.js';
import { CountersService } from './counters.service.js';
import { parseCounterName, parseIncrement } from './counters.input.js';

/** A counter's value is stale as soon as anyone increments it: no cache keeps it. */
const NO_STORE = 'no-store';

/** Public `/api/counters/:name`: shared counters, the seed's "shared state race" made safe. */
@Controller('api/counters')
export class CountersController {
  constructor(private readonly counters: CountersService) {}

  @Get(':name')
  @Header('cache-control', NO_STORE)
  @ApiContract(countersContracts.get)
  async get(
    @Param('name') raw: string,
    @Query() query: unknown,
  ): Promise<{ name: string; value: number }> {
    const name = parseCounterName(raw);
    refuseQuery(query);
    return { name, value: await this.counters.get(name) };
  }

  /**
   * Adds `by` (default 1) and answers the value right after this increment, atomically across
   * all replicas; concurrent increments share one statement (CountersService).
   */
  @Post(':name/increment')
  @HttpCode(200)
  @Header('cache-control', NO_STORE)
  @ApiContract(countersContracts.increment)
  async increment(
    @Param('name') raw: string,
    @Query() query: unknown,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<{ name: string; value: number }> {
    const name = parseCounterName(raw);
    refuseQuery(query);
    const by = parseIncrement(body, request.requestState?.bodyText);
    return { name, value: await this.counters.increment(name, by) };
  }
}
