// The framework floor: NestJS 12 on Fastify with the identical /hello route and nothing else
// (no hooks, logging, metrics or tracing). rampart ÷ this is what rampart's own layers cost.
import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

const MESSAGE = 'Hello, Gopher! This request was handled concurrently.';

class HelloController {
  hello() {
    return MESSAGE;
  }
}
const method = Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello');
Get()(HelloController.prototype, 'hello', method);
Header('content-type', 'text/plain; charset=utf-8')(HelloController.prototype, 'hello', method);
Controller('hello')(HelloController);

class AppModule {}
Module({ controllers: [HelloController] })(AppModule);

const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(process.env.PORT ?? 18182), '127.0.0.1');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
