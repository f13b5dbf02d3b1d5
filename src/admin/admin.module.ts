import { Global, Module } from '@nestjs/common';
import { AdminServer } from './admin.server.js';

/** Global so any concern can put its operator endpoints on the admin listener. */
@Global()
@Module({ providers: [AdminServer], exports: [AdminServer] })
export class AdminModule {}
