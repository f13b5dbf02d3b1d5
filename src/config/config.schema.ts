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
export const configSchema = z.object({
  ...httpConfigShape,
  ...databaseConfigShape,
  ...upstreamConfigShape,
  ...telemetryConfigShape,
  ...adminConfigShape,
  ...pagesConfigShape,
});

export type AppConfig = z.infer<typeof configSchema>;

/** Every environment variable name the service reads (used by the manifest consistency test). */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape);
}
