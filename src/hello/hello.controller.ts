import { Controller, Get, Header, Query } from '@nestjs/common';
import { HelloService } from './hello.service.js';

/** Public `GET /hello`: the seed's concurrency demo; load tests and benchmarks call it. */
@Controller('hello')
export class HelloController {
  constructor(private readonly hello: HelloService) {}

  @Get()
  @Header('content-type', 'text/plain; charset=utf-8')
  async get(@Query('delay') delay?: unknown): Promise<string> {
    return this.hello.greet(this.hello.parseDelay(delay));
  }
}
