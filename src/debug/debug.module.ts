import { Module } from '@nestjs/common';
import { PprofAdmin } from './pprof.admin.js';
import { TracezAdmin } from './tracez.admin.js';
import { AdminModule } from '../admin/admin.module.js';

/**
 * Operator debugging on the admin listener: pprof CPU and heap profiles (off by default) and the
 * in-process trace view /debug/tracez (on by default).
 */
@Module({ imports: [AdminModule], providers: [PprofAdmin, TracezAdmin] })
export class DebugModule {}
