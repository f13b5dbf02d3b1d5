import { Controller, Get } from '@nestjs/common';
import { FanoutService } from './fanout.service.js';
import { ApiContract } from '../openapi/contract.decorator.js';
import { fanoutContracts } from './fanout.contract.js';
import type { FanoutAnswer } from './fanout.types.js';

/**
 * Public `GET /api/fanout`: calls every backend's UPSTREAM_PATH (by default their own
 * /api/fanout, so instances chain A → B → C) and nests their answers; a leaf reads the database.
 * Called by the chain tests, the benchmark and anyone watching a breaker work.
 */
@Controller('api')
export class FanoutController {
  constructor(private readonly fanout: FanoutService) {}

  @Get('fanout')
  @ApiContract(fanoutContracts.fanout)
  get(): Promise<FanoutAnswer> {
    return this.fanout.fanout();
  }
}
