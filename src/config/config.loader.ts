import { configSchemaFor, type AppConfig } from './config.schema.js';

// Values never echoed in the error: they are (or may carry) credentials, and it is logged.
// OTLP headers usually carry a hosted backend's API key.
// BACKEND_URLS may carry credentials in a URL, which it refuses.
const SECRET = /TOKEN|PASSWORD|HEADERS$|^DATABASE_URL$|^REDIS_URL$|^BACKEND_URLS$/;

/** Thrown at boot when the environment does not parse; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once. Lists all problems, not just the first. An empty value (`PORT=`)
 * is unset, as the OpenTelemetry environment specification says of its variables: it takes the
 * default (before, an empty number was 0: `OTEL_TRACES_SAMPLER_ARG=` sampled nothing and
 * `PORT=` listened on a random port).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchemaFor((name) => Object.hasOwn(given, name)).safeParse(given);
  if (result.success) return Object.freeze(result.data) as AppConfig;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    const shown =
      value === undefined || SECRET.test(name)
        ? ''
        : ` (got ${JSON.stringify(value.slice(0, 100))})`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(problems);
}
