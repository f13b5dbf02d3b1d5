import { z } from 'zod';
import { adminConfigShape } from './admin.config.js';
import { databaseConfigShape } from './database.config.js';
import { httpConfigShape } from './http.config.js';
import { pagesConfigShape } from './pages.config.js';
import { telemetryConfigShape } from './telemetry.config.js';
import { upstreamConfigShape } from './upstream.config.js';

/**
 * The one configuration schema: every environment variable rampart reads, with its default.
 * Each concern keeps its fragment beside this file; this is where they meet.
 */
export const configSchema = z
  .object({
    ...httpConfigShape,
    ...databaseConfigShape,
    ...upstreamConfigShape,
    ...telemetryConfigShape,
    ...adminConfigShape,
    ...pagesConfigShape,
  })
  .superRefine((config, ctx) => {
    // A relation is checked only when every variable it reads parsed. A field that failed its
    // own check (zod goes on to an object's refinements after it) still holds its raw string
    // here: comparing that blamed a variable that was fine (SHUTDOWN_DRAIN_DELAY_MS=1e9 also
    // printed "SHUTDOWN_TIMEOUT_MS: must exceed SHUTDOWN_DRAIN_DELAY_MS (1e9)") or repeated the
    // field's own problem. The variable named is the one the relation asks to change.
    const failed = new Set(ctx.issues.map((issue) => issue.path?.[0]));
    const parsed = (...names: Array<keyof typeof config>) => !names.some((n) => failed.has(n));
    const refuse = (name: keyof typeof config, message: string) =>
      ctx.addIssue({ code: 'custom', path: [name], message });

    // Found at parse time, naming both variables, not as EADDRINUSE after the migrations ran.
    const ports = ['PORT', 'ADMIN_PORT', 'PROBE_PORT'] as const;
    for (const [i, a] of ports.entries()) {
      for (const b of ports.slice(i + 1)) {
        if (parsed(a, b) && config[a] !== 0 && config[a] === config[b]) {
          refuse(b, `must differ from ${a} (${config[a]})`);
        }
      }
    }
    // Bounds that contradict each other: the limit started above its maximum, and plain /hello
    // waited longer than ?delay= may ask for.
    const { ADMISSION_MIN_LIMIT: min, ADMISSION_MAX_LIMIT: max } = config;
    if (parsed('ADMISSION_MIN_LIMIT', 'ADMISSION_MAX_LIMIT') && min > max) {
      refuse('ADMISSION_MIN_LIMIT', `must not exceed ADMISSION_MAX_LIMIT (${max})`);
    }
    // Outside them it was moved to the nearest bound without a word (5000 ran as 1000). Not
    // checked against bounds that contradict each other (reported above).
    const initial = config.ADMISSION_INITIAL_LIMIT;
    if (
      parsed('ADMISSION_INITIAL_LIMIT', 'ADMISSION_MIN_LIMIT', 'ADMISSION_MAX_LIMIT') &&
      min <= max &&
      (initial < min || initial > max)
    ) {
      refuse(
        'ADMISSION_INITIAL_LIMIT',
        `must be within ADMISSION_MIN_LIMIT and ADMISSION_MAX_LIMIT (${min}-${max})`,
      );
    }
    if (
      parsed('HELLO_DELAY_MS', 'HELLO_MAX_DELAY_MS') &&
      config.HELLO_DELAY_MS > config.HELLO_MAX_DELAY_MS
    ) {
      refuse('HELLO_DELAY_MS', `must not exceed HELLO_MAX_DELAY_MS (${config.HELLO_MAX_DELAY_MS})`);
    }
    // The cap below the first step: every retry waited up to the cap (retry.decision.ts), the
    // base delay set was never used.
    const { UPSTREAM_RETRY_BASE_DELAY_MS: base, UPSTREAM_RETRY_MAX_DELAY_MS: cap } = config;
    if (parsed('UPSTREAM_RETRY_BASE_DELAY_MS', 'UPSTREAM_RETRY_MAX_DELAY_MS') && base > cap) {
      refuse(
        'UPSTREAM_RETRY_BASE_DELAY_MS',
        `must not exceed UPSTREAM_RETRY_MAX_DELAY_MS (${cap})`,
      );
    }
    // The OpenTelemetry SDK's own rule (BatchSpanProcessorBase, "maxExportBatchSize must be
    // smaller or equal to maxQueueSize"): it cut the batch to the queue's size and logged a
    // warning; refused here, as the value set would not run.
    const { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: batch, OTEL_BSP_MAX_QUEUE_SIZE: queue } = config;
    if (parsed('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'OTEL_BSP_MAX_QUEUE_SIZE') && batch > queue) {
      refuse(
        'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
        `must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${queue})`,
      );
    }
    // Timeouts whose order the code relies on. Each of these started and then misbehaved:
    // - the drain delay used up the shutdown deadline: every shutdown exited 1, never closing;
    if (
      parsed('SHUTDOWN_TIMEOUT_MS', 'SHUTDOWN_DRAIN_DELAY_MS') &&
      config.SHUTDOWN_TIMEOUT_MS <= config.SHUTDOWN_DRAIN_DELAY_MS
    ) {
      refuse(
        'SHUTDOWN_TIMEOUT_MS',
        `must exceed SHUTDOWN_DRAIN_DELAY_MS (${config.SHUTDOWN_DRAIN_DELAY_MS})`,
      );
    }
    // - the client gave up on a statement the server was still allowed to run: a lock wait
    //   became DB_QUERY_TIMEOUT, which opens the database breaker for every data route;
    const { DB_QUERY_TIMEOUT_MS: query, DB_STATEMENT_TIMEOUT_MS: statement } = config;
    if (
      parsed('DB_QUERY_TIMEOUT_MS', 'DB_STATEMENT_TIMEOUT_MS') &&
      query !== 0 &&
      statement !== 0 &&
      query <= statement
    ) {
      refuse('DB_QUERY_TIMEOUT_MS', `must exceed DB_STATEMENT_TIMEOUT_MS (${statement}), or be 0`);
    }
    // - the margin left no time to call a backend at all: every fan-out entry UPSTREAM_TIMEOUT.
    if (
      parsed('UPSTREAM_DEADLINE_MARGIN_MS', 'REQUEST_TIMEOUT_MS') &&
      config.UPSTREAM_DEADLINE_MARGIN_MS >= config.REQUEST_TIMEOUT_MS
    ) {
      refuse(
        'UPSTREAM_DEADLINE_MARGIN_MS',
        `must be below REQUEST_TIMEOUT_MS (${config.REQUEST_TIMEOUT_MS})`,
      );
    }
  });

export type AppConfig = z.infer<typeof configSchema>;

/** Every environment variable name the service reads (used by the manifest consistency test). */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape);
}
