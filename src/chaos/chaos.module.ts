import { Module } from '@nestjs/common';
import { ChaosAdmin } from './chaos.admin.js';
import { ChaosController } from './chaos.controller.js';
import { ChaosState } from './chaos.state.js';

/** Fault injection: public /status and /delay, admin /chaos, and the hook that applies it. */
@Module({ controllers: [ChaosController], providers: [ChaosState, ChaosAdmin] })
export class ChaosModule {}
