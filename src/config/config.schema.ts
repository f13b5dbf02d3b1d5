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
    if (config.HELLO_DELAY_MS > config.HELLO_MAX_DELAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HELLO_DELAY_MS'],
        message: `must not exceed HELLO_MAX_DELAY_MS (${config.HELLO_MAX_DELAY_MS})`,
      });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;

/** Every environment variable name the service reads (used by the manifest consistency test). */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape);
}
