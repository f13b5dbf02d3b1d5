import { Module } from '@nestjs/common';
import { FanoutModule } from '../fanout/fanout.module.js';
import { HomeController } from './home.controller.js';

/** Public `GET /`: the landing page (browsers) or the same identity as JSON. */
@Module({ imports: [FanoutModule], controllers: [HomeController] })
export class HomeModule {}
