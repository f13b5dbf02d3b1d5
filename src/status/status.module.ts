import { Module } from '@nestjs/common';
import { AdmissionModule } from '../admission/admission.module.js';
import { StatusAdmin } from './status.admin.js';
import { StatusCollector } from './status.collector.js';

/** The live status page on the admin listener (`/`, `/status.json`). */
@Module({ imports: [AdmissionModule], providers: [StatusAdmin, StatusCollector] })
export class StatusModule {}
