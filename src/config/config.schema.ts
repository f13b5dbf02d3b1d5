import { z } from 'zod';
import { adminConfigShape } from './admin.config.js';
import { RELATED } from './config.relations.js';
import { databaseConfigShape } from './database.config.js';
import { httpConfigShape } from './http.config.js';
import { pagesConfigShape } from './pages.config.js';
import { checkRelations, type RelatedValues } from './relations.check.js';
import { IDENTITY_VARIABLES, identityProblems, withResourceIdentity } from './service-identity.js';
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
 * The schema with its relations (config.relations.ts, checked by relations.check.ts) and the
 * service's identity (service-identity.ts); `isSet` tells them which variables the environment
 * set, so a contradiction is reported under the one the user chose and a default is told from a
 * value set (loadConfig).
 */
export const configSchemaFor = (isSet?: (name: string) => boolean) =>
  configObject
    .superRefine((config, ctx) => {
      const failed = new Set(ctx.issues.map((issue) => issue.path?.[0]));
      const refuse = (name: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [name], message });
      checkRelations(config, failed, refuse, isSet);
      if (IDENTITY_VARIABLES.some((name) => failed.has(name))) return;
      for (const { name, message } of identityProblems(config, isSet)) refuse(name, message);
    })
    // Where only OTEL_RESOURCE_ATTRIBUTES names or versions the service, that is its name or
    // version everywhere.
    .overwrite((config) => withResourceIdentity(config, isSet));

/**
 * The relations and the identity alone, each variable they compare parsed on its own. zod skips an object's
 * refinements once a field's problem ended its parse (an enum's, or a check's that said its one
 * problem and stopped): NODE_ENV=prod hid PORT=9090's clash with ADMIN_PORT until the next
 * start. loadConfig adds these when the parse failed.
 */
export function relationProblems(
  env: Readonly<Record<string, string | undefined>>,
  isSet?: (name: string) => boolean,
): { path: [string]; message: string }[] {
  const config: RelatedValues = {};
  const failed = new Set<string>();
  for (const name of RELATED) {
    const result = configObject.shape[name].safeParse(env[name]);
    if (result.success) config[name] = result.data;
    else failed.add(name);
  }
  const problems: { path: [string]; message: string }[] = [];
  checkRelations(
    config,
    failed,
    (name, message) => problems.push({ path: [name], message }),
    isSet,
  );
  const identity = Object.fromEntries(
    IDENTITY_VARIABLES.map((name) => [name, configObject.shape[name].safeParse(env[name])]),
  );
  if (Object.values(identity).every((result) => result.success)) {
    const parsed = Object.fromEntries(
      Object.entries(identity).map(([name, result]) => [name, result.data]),
    ) as Parameters<typeof identityProblems>[0];
    for (const { name, message } of identityProblems(parsed, isSet)) {
      problems.push({ path: [name], message });
    }
  }
  return problems;
}

/** Parsed apart from an environment (the manifest checks): a relation names its own variable. */
export const configSchema = configSchemaFor();

export type AppConfig = z.infer<typeof configSchema>;

/** Every environment variable name the service reads (used by the manifest consistency test). */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape);
}
