import { Module } from '@nestjs/common';
import { PprofAdmin } from './pprof.admin.js';

/** Operator debugging on the admin listener: pprof CPU and heap profiles (off by default). */
@Module({ providers: [PprofAdmin] })
export class DebugModule {}
