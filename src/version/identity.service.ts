import { Inject, Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

/** This instance's identity, as /api/info and every fan-out answer report it. */
/** Who answered: enough to tell pods apart in a chained answer. */
export interface Identity {
  service: string;
  version: string;
  /** POD_NAME (downward API), else the hostname. */
  pod: string;
  hostname: string;
}

@Injectable()
export class IdentityService {
  readonly identity: Identity;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const host = hostname();
    this.identity = Object.freeze({
      service: config.OTEL_SERVICE_NAME,
      version: config.SERVICE_VERSION,
      pod: config.POD_NAME ?? host,
      hostname: host,
    });
  }
}
