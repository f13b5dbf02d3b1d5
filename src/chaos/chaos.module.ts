import { Module } from '@nestjs/common';
import { ChaosAdmin } from './chaos.admin.js';
import { ChaosController } from './chaos.controller.js';
import { ChaosState } from './chaos.state.js';
import { AdminModule } from '../admin/admin.module.js';
import { RequestContextModule } from '../request-context/request-context.module.js';

/** Fault injection: public /status and /delay, admin /chaos, and the hook that applies it. */
@Module({
  imports: [AdminModule, RequestContextModule],
  controllers: [ChaosController],
  providers: [ChaosState, ChaosAdmin],
})
export class ChaosModule {}
