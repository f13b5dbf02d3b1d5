import { configSchemaFor, relationProblems, type AppConfig } from './config.schema.js';

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
  const isSet = (name: string) => Object.hasOwn(given, name);
  const result = configSchemaFor(isSet).safeParse(given);
  if (result.success) return Object.freeze(result.data) as AppConfig;
  // Checked again on their own, or a field's problem could hide them; said once either way.
  const issues = [...result.error.issues, ...relationProblems(given, isSet)];
  throw new ConfigError(problemLines(issues, env));
}

/**
 * One line per variable, naming it: its problems in the order found, each said once. A list's
 * entry is named by position within its variable's line (`BACKEND_URLS: entry 2: …`, where the
 * line named `BACKEND_URLS.1`, a variable nobody can set).
 */
function problemLines(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  env: Record<string, string | undefined>,
): string[] {
  const byName = new Map<string, string[]>();
  for (const { path, message } of issues) {
    const [name, index] = path;
    const said = typeof index === 'number' ? `entry ${index + 1}: ${message}` : message;
    const messages = byName.get(String(name)) ?? [];
    if (!messages.includes(said)) messages.push(said);
    byName.set(String(name), messages);
  }
  return [...byName].map(([name, messages]) => {
    const value = env[name];
    const shown =
      value === undefined || SECRET.test(name)
        ? ''
        : ` (got ${JSON.stringify(value.slice(0, 100))})`;
    return `${name}: ${messages.join('; ')}${shown}`;
  });
}
