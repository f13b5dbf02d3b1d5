import { Injectable } from '@nestjs/common';
import { ProblemCounts } from '../errors/problem.counts.js';
import { MetricsService } from './metrics.service.js';

/**
 * `http_server_problems_total{code}`: every problem+json answer by its code, both listeners,
 * read from the app's ProblemCounts at scrape time (no work per answer beyond the count it
 * already keeps). The request histogram sees only answers that met the hooks; this also counts
 * the ones written before any hook (431 and framing 400s from Node's parser, CONNECT's 405, the
 * 417 to an unmet Expect, admission's 503s), which a client can otherwise send by the thousand
 * with nothing in Prometheus. Codes come from the problem catalog and `HTTP_4xx` for framework
 * statuses without one, so the label set stays bounded whatever a client sends.
 */
@Injectable()
export class ProblemMetrics {
  constructor(metrics: MetricsService, counts: ProblemCounts) {
    metrics.counter<'code'>({
      name: 'http_server_problems_total',
      help: 'Problem+json answers by code since start, both listeners, those written before any request hook (431, framing 400, CONNECT 405, admission 503) included',
      labelNames: ['code'] as const,
      collect() {
        this.reset();
        for (const [code, count] of counts.snapshot()) this.inc({ code }, count);
      },
    });
  }
}
