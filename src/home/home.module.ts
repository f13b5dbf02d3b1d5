import { Module } from '@nestjs/common';
import { VersionModule } from '../version/version.module.js';
import { HomeController } from './home.controller.js';

/** Public `GET /`: the landing page (browsers) or the same identity as JSON. */
@Module({ imports: [VersionModule], controllers: [HomeController] })
export class HomeModule {}
