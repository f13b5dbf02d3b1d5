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
    // Found at parse time, naming both variables, not as EADDRINUSE after the migrations ran.
    const ports = ['PORT', 'ADMIN_PORT', 'PROBE_PORT'] as const;
    for (const [i, a] of ports.entries()) {
      for (const b of ports.slice(i + 1)) {
        if (config[a] !== 0 && config[a] === config[b]) {
          ctx.addIssue({
            code: 'custom',
            path: [b],
            message: `must differ from ${a} (${config[a]})`,
          });
        }
      }
    }
    // Bounds that contradict each other: the limit started above its maximum, and plain /hello
    // waited longer than ?delay= may ask for.
    if (config.ADMISSION_MIN_LIMIT > config.ADMISSION_MAX_LIMIT) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMISSION_MIN_LIMIT'],
        message: `must not exceed ADMISSION_MAX_LIMIT (${config.ADMISSION_MAX_LIMIT})`,
      });
    }
    // Outside them it was moved to the nearest bound without a word (5000 ran as 1000).
    if (
      config.ADMISSION_INITIAL_LIMIT < config.ADMISSION_MIN_LIMIT ||
      config.ADMISSION_INITIAL_LIMIT > config.ADMISSION_MAX_LIMIT
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMISSION_INITIAL_LIMIT'],
        message: `must be within ADMISSION_MIN_LIMIT and ADMISSION_MAX_LIMIT (${config.ADMISSION_MIN_LIMIT}-${config.ADMISSION_MAX_LIMIT})`,
      });
    }
    if (config.HELLO_DELAY_MS > config.HELLO_MAX_DELAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HELLO_DELAY_MS'],
        message: `must not exceed HELLO_MAX_DELAY_MS (${config.HELLO_MAX_DELAY_MS})`,
      });
    }
    // Timeouts whose order the code relies on. Each of these started and then misbehaved:
    // - the drain delay used up the shutdown deadline: every shutdown exited 1, never closing;
    if (config.SHUTDOWN_TIMEOUT_MS <= config.SHUTDOWN_DRAIN_DELAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHUTDOWN_TIMEOUT_MS'],
        message: `must exceed SHUTDOWN_DRAIN_DELAY_MS (${config.SHUTDOWN_DRAIN_DELAY_MS})`,
      });
    }
    // - the client gave up on a statement the server was still allowed to run: a lock wait
    //   became DB_QUERY_TIMEOUT, which opens the database breaker for every data route;
    const { DB_QUERY_TIMEOUT_MS: query, DB_STATEMENT_TIMEOUT_MS: statement } = config;
    if (query !== 0 && statement !== 0 && query <= statement) {
      ctx.addIssue({
        code: 'custom',
        path: ['DB_QUERY_TIMEOUT_MS'],
        message: `must exceed DB_STATEMENT_TIMEOUT_MS (${statement}), or be 0`,
      });
    }
    // - the margin left no time to call a backend at all: every fan-out entry UPSTREAM_TIMEOUT.
    if (config.UPSTREAM_DEADLINE_MARGIN_MS >= config.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['UPSTREAM_DEADLINE_MARGIN_MS'],
        message: `must be below REQUEST_TIMEOUT_MS (${config.REQUEST_TIMEOUT_MS})`,
      });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;

/** Every environment variable name the service reads (used by the manifest consistency test). */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape);
}
