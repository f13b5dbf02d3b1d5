import { Module } from '@nestjs/common';
import { PprofAdmin } from './pprof.admin.js';
import { AdminModule } from '../admin/admin.module.js';

/** Operator debugging on the admin listener: pprof CPU and heap profiles (off by default). */
@Module({ imports: [AdminModule], providers: [PprofAdmin] })
export class DebugModule {}
