import { Module } from '@nestjs/common';
import { AdminServer } from './admin.server.js';

/** The admin listener; a module that puts operator endpoints on it imports this one. */
@Module({ providers: [AdminServer], exports: [AdminServer] })
export class AdminModule {}
