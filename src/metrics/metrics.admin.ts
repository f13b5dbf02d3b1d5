import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdminServer } from '../admin/admin.server.js';
import { MetricsService } from './metrics.service.js';

/** Admin `GET /metrics`: Prometheus text, scraped by Prometheus / the ServiceMonitor. */
@Injectable()
export class MetricsAdmin implements OnModuleInit {
  constructor(
    private readonly admin: AdminServer,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.admin.routes.get('/metrics', async (_request, reply) => {
      reply.header('content-type', this.metrics.registry.contentType);
      return this.metrics.exposition();
    });
  }
}
