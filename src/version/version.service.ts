import { Inject, Injectable } from '@nestjs/common';
import { getHeapStatistics } from 'node:v8';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { readBuildInfo, type BuildInfo } from './build-info.js';
import type { CgroupLimits } from './cgroup.limits.js';
import { LimitsCache } from './limits.cache.js';

/** What GET /version answers, and /api/info includes. */
export interface VersionAnswer {
  service: string;
  /** SERVICE_VERSION: the version the deployment says it runs. */
  version: string;
  /** The commit the running code was built from ("unknown" without build info). */
  commit: string;
  build: BuildInfo;
  nodeVersion: string;
  limits: CgroupLimits & {
    /** V8's old-space limit: compare it with memoryBytes (a heap allowed past the cgroup limit is OOMKilled, not collected). */
    heapLimitBytes: number;
  };
}

/**
 * Build identity (read once: it cannot change under a running process) and the resource limits
 * (at most a second old: Kubernetes can resize a pod's resources in place; limits.cache.ts).
 */
@Injectable()
export class VersionService {
  private readonly build = readBuildInfo();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: LimitsCache,
  ) {}

  async version(): Promise<VersionAnswer> {
    return {
      service: this.config.OTEL_SERVICE_NAME,
      version: this.config.SERVICE_VERSION,
      commit: this.build.commit,
      build: this.build,
      nodeVersion: process.version,
      limits: {
        ...(await this.limits.current()),
        heapLimitBytes: getHeapStatistics().heap_size_limit,
      },
    };
  }
}
