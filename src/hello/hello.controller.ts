import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiContract } from '../openapi/contract.decorator.js';
import { parseQuery } from '../openapi/contract.input.js';
import { helloContract, helloQuery } from './hello.contract.js';
import { HelloService } from './hello.service.js';

/** Public `GET /hello`: the seed's concurrency demo; load tests and benchmarks call it. */
@Controller('hello')
export class HelloController {
  constructor(private readonly hello: HelloService) {}

  @Get()
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiContract(helloContract)
  async get(@Query() query: unknown): Promise<string> {
    const { delay } = parseQuery(helloQuery, query);
    return this.hello.greet(this.hello.parseDelay(delay));
  }
}
