import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminServer } from '../admin/admin.server.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { document, html, PAGE_HEADERS } from '../html/html.template.js';
import { contractRouteOptions } from '../openapi/contract.decorator.js';
import { parseQuery } from '../openapi/contract.input.js';
import { telemetryHandle } from '../telemetry/telemetry.handle.js';
import { tracezContract, tracezQuery } from './tracez.contract.js';
import { tracezPage } from './tracez.page.js';
import { BUCKET_LABELS, select, summarize, waterfall, type SpanView } from './tracez.summary.js';

const VIEW_TITLES: Record<SpanView, string> = {
  recent: 'Recent',
  slowest: 'Slowest',
  failed: 'Failed',
};
/** Spans listed per selection: enough to find an outlier, few enough for a phone. */
const LIST_LIMIT = 50;

/**
 * Admin `GET /debug/tracez`: the spans this process kept (telemetry/span.store.ts), in the
 * manner of OpenTelemetry's zPages — per span name, counts by latency bucket and errors; a
 * name's recent, slowest or failed spans (`?name=&view=&bucket=`); one trace as a waterfall
 * (`?trace=<32 hex>`). Used by an operator or a newcomer who has no Jaeger at hand. A read open
 * like /metrics (admin.guard.ts asks ADMIN_TOKEN only of /debug/pprof/); a `?token=` given is
 * kept in the page's links. The query is parsed with tracez.contract.ts's schema.
 * Not registered (404) when TRACEZ_ENABLED=false.
 */
@Injectable()
export class TracezAdmin implements OnModuleInit {
  constructor(
    private readonly admin: AdminServer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.TRACEZ_ENABLED) return;
    this.admin.routes.get(
      '/debug/tracez',
      contractRouteOptions(tracezContract),
      async (request, reply) => {
        reply.headers(PAGE_HEADERS).header('cache-control', 'no-store');
        return this.render(request);
      },
    );
  }

  private render(request: FastifyRequest): string {
    const query = parseQuery(tracezQuery, request.query);
    const store = telemetryHandle()?.spanStore;
    if (!store) {
      return document(
        'rampart · tracez',
        '',
        html`<h1>Traces in this process</h1>
          <p data-testid="not-started">
            Tracing did not start in this process: OTEL_SDK_DISABLED=true, or it was started without
            the telemetry preload (<code
              >node --import ./dist/bundle/telemetry.bootstrap.js dist/bundle/main.js</code
            >, as <code>npm start</code> and the image do).
          </p>`,
      );
    }
    const spans = store.spans();
    const link = (params: Record<string, string | number>): string => {
      const all = query.token === undefined ? params : { ...params, token: query.token };
      const search = new URLSearchParams(
        Object.entries(all).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      // Relative (to /debug/tracez itself), as the page's other links: they keep a path prefix.
      return search ? `tracez?${search}` : 'tracez';
    };
    const view = query.view ?? (query.name !== undefined ? 'recent' : undefined);
    return tracezPage({
      stats: store.stats(),
      summary: summarize(spans),
      link,
      trace: query.trace ? { id: query.trace, rows: waterfall(spans, query.trace) } : undefined,
      selection:
        view === undefined
          ? undefined
          : {
              title: `${VIEW_TITLES[view]} ${query.name ?? 'spans'}${
                query.bucket === undefined ? '' : ` (${BUCKET_LABELS[query.bucket]})`
              }`,
              spans: select(spans, { name: query.name, view, bucket: query.bucket }, LIST_LIMIT),
            },
    });
  }
}
