import { Module } from '@nestjs/common';
import { ChaosAdmin } from './chaos.admin.js';
import { ChaosController } from './chaos.controller.js';
import { ChaosState } from './chaos.state.js';
import { ProcessChaosAdmin } from './process-chaos.admin.js';
import { ProcessChaos } from './process-chaos.service.js';

/**
 * Fault injection: public /status and /delay, admin /chaos and the hook that applies it, and
 * whole-process faults on admin /chaos/process (process-chaos.*.ts).
 */
@Module({
  controllers: [ChaosController],
  providers: [ChaosState, ChaosAdmin, ProcessChaos, ProcessChaosAdmin],
})
export class ChaosModule {}
