/**
 * docker-compose.yml runs the image on a laptop, as the README and docs/observability.md offer:
 * each rampart service's environment must start the app, and what it turns on must be usable.
 * The image is production (its NODE_ENV), which refuses every admin mutation and profile (403)
 * without ADMIN_TOKEN: the file enabled pprof and gave no token, so neither pprof nor /chaos
 * answered anyone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.loader.js';
import { ROOT } from '../support/child-process.js';

interface ComposeService {
  build?: unknown;
  image?: string;
  environment?: Record<string, string>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };
// The image's own environment (Dockerfile ENV), under the service's.
const IMAGE_ENV = { NODE_ENV: 'production' };
const rampart = Object.entries(compose.services).filter(
  ([, service]) => service.build !== undefined,
);

describe('docker-compose.yml', () => {
  it('runs the two chained rampart instances from the image it builds', () => {
    expect(rampart.map(([name]) => name).sort()).toEqual(['backend', 'frontend']);
  });

  it.each(rampart)('%s: its environment starts the app', (_name, service) => {
    expect(() => loadConfig({ ...IMAGE_ENV, ...service.environment })).not.toThrow();
  });

  it.each(rampart)('%s: the pprof and chaos it offers answer a token holder', (_name, service) => {
    const config = loadConfig({ ...IMAGE_ENV, ...service.environment });
    expect(config.NODE_ENV).toBe('production');
    expect(config.DEBUG_PPROF_ENABLED).toBe(true);
    expect(config.ADMIN_TOKEN).toEqual(expect.any(String));
  });
});
