import { ConfigError, loadConfig } from '../../src/config/config.loader.js';

/**
 * The message loadConfig throws for `env` (it must be a ConfigError), or undefined when `env`
 * parses. One helper for every config spec: an assertion that a message names a variable fails
 * on undefined as it fails on a message without it.
 */
export function configProblems(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
}
