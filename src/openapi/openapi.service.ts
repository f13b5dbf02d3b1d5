import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AdminServer } from '../admin/admin.server.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { buildDocument, type OpenApiDocument } from './openapi.document.js';
import { ADMIN_SURFACE, PUBLIC_SURFACE } from './openapi.surfaces.js';
import { RouteCatalog } from './route.catalog.js';

/**
 * The two listeners' route catalogs and their documents. The catalogs start watching in this
 * constructor, before any route exists; the documents are built on first request, when every
 * route is registered, and kept (routes never change after start-up).
 */
@Injectable()
export class OpenApiService {
  readonly publicRoutes: RouteCatalog;
  readonly adminRoutes: RouteCatalog;
  private documents = new Map<'public' | 'admin', string>();

  constructor(
    adapter: HttpAdapterHost,
    admin: AdminServer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.publicRoutes = new RouteCatalog(adapter.httpAdapter.getInstance<FastifyInstance>());
    this.adminRoutes = new RouteCatalog(admin.routes);
  }

  /** The public listener's document. */
  publicDocument(): OpenApiDocument {
    return buildDocument(PUBLIC_SURFACE, this.config.SERVICE_VERSION, this.publicRoutes.routes);
  }

  /** The admin listener's document. */
  adminDocument(): OpenApiDocument {
    return buildDocument(ADMIN_SURFACE, this.config.SERVICE_VERSION, this.adminRoutes.routes);
  }

  /** A document as served: serialised once. */
  serialized(which: 'public' | 'admin'): string {
    let text = this.documents.get(which);
    if (text === undefined) {
      text = JSON.stringify(which === 'public' ? this.publicDocument() : this.adminDocument());
      this.documents.set(which, text);
    }
    return text;
  }
}
