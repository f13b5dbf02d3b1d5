import { Module } from '@nestjs/common';
import { AdminServer } from './admin.server.js';
import { ErrorsModule } from '../errors/errors.module.js';

/** The admin listener; a module that puts operator endpoints on it imports this one. */
@Module({ imports: [ErrorsModule], providers: [AdminServer], exports: [AdminServer] })
export class AdminModule {}
