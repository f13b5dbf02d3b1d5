import { z } from 'zod';
import { adminConfigShape } from './admin.config.js';
import { checkRelations } from './config.relations.js';
import { databaseConfigShape } from './database.config.js';
import { httpConfigShape } from './http.config.js';
import { pagesConfigShape } from './pages.config.js';
import { telemetryConfigShape } from './telemetry.config.js';
import { upstreamConfigShape } from './upstream.config.js';

/**
 * The one configuration schema: every environment variable rampart reads, with its default.
 * Each concern keeps its fragment beside this file; this is where they meet.
 */
const configObject = z.object({
  ...httpConfigShape,
  ...databaseConfigShape,
  ...upstreamConfigShape,
  ...telemetryConfigShape,
  ...adminConfigShape,
  ...pagesConfigShape,
});

/**
 * The schema with its relations (config.relations.ts); `isSet` tells them which variables the
 * environment set, so a contradiction is reported under the one the user chose (loadConfig).
 */
export const configSchemaFor = (isSet?: (name: string) => boolean) =>
  configObject.superRefine((config, ctx) => checkRelations(config, ctx, isSet));

/** Parsed apart from an environment (the manifest checks): a relation names its own variable. */
export const configSchema = configSchemaFor();

export type AppConfig = z.infer<typeof configSchema>;

/** Every environment variable name the service reads (used by the manifest consistency test). */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape);
}
