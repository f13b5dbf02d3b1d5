import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AdminServer } from '../admin/admin.server.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { contractRouteOptions } from '../openapi/contract.decorator.js';
import { metricsContract } from './metrics.contract.js';
import { MetricsService } from './metrics.service.js';

/** Admin `GET /metrics`: Prometheus text, scraped by Prometheus / the ServiceMonitor. */
@Injectable()
export class MetricsAdmin implements OnModuleInit {
  constructor(
    private readonly admin: AdminServer,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // METRICS_ENABLED=false: no route, so the admin listener answers 404.
    if (!this.config.METRICS_ENABLED) return;
    const cap = this.admin.connectionCap;
    this.metrics.counter({
      name: 'admin_connections_closed_total',
      help: 'Admin port connections closed because it held ADMIN_MAX_CONNECTIONS: the oldest idle one given way to a newcomer, or the newcomer when all were answering',
      collect() {
        this.reset();
        this.inc(cap.closed);
      },
    });
    this.admin.routes.get(
      '/metrics',
      contractRouteOptions(metricsContract),
      async (_request, reply) => {
        reply.header('content-type', this.metrics.registry.contentType);
        return this.metrics.exposition();
      },
    );
  }
}
