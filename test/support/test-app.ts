import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { AppConfig } from '../../src/config/config.schema.js';
import { configureLogger } from '../../src/logging/logger.js';
import { TEST_REDIS_KEY_PREFIX } from './redis-prefix.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  adminUrl: string;
  /** The kubelet's probe listener (PROBE_PORT). */
  probeUrl: string;
  /** The three listeners' ports, for raw-socket tests. */
  ports: { public: number; admin: number; probe: number };
  /** The routes whose response schema did not compile, once all have (app.factory.ts). */
  serializersWarmed: Promise<string[]>;
  close(): Promise<void>;
}

/** Env every in-process test app starts from: loopback, ephemeral ports, quiet logs. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  ADMIN_HOST: '127.0.0.1',
  PORT: '0',
  ADMIN_PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  SHUTDOWN_DRAIN_DELAY_MS: '0',
  PROBE_PORT: '0',
  // Tests run many requests on 2 cores alongside other suites: no admission limits, no
  // connection cap. test/e2e/admission*.e2e-spec.ts turns them back on.
  ADMISSION_ENABLED: 'false',
  EVENT_LOOP_MAX_DELAY_MS: '0',
  HTTP_MAX_CONNECTIONS: '0',
  REDIS_KEY_PREFIX: TEST_REDIS_KEY_PREFIX,
};

/**
 * Admission on with its adaptive limit pinned at `limit` (min = initial = max), so a test knows
 * exactly how many requests may be in flight; add ADMISSION_QUEUE_MAX as the test needs.
 */
export function pinnedAdmission(limit: number): Record<string, string> {
  const pinned = String(limit);
  return {
    ADMISSION_ENABLED: 'true',
    ADMISSION_MIN_LIMIT: pinned,
    ADMISSION_INITIAL_LIMIT: pinned,
    ADMISSION_MAX_LIMIT: pinned,
  };
}

/**
 * How long close() lets requests still in flight finish before it drops their connections.
 * `app.close()` alone waits for every open connection, and a kept-alive one whose request was
 * still running when closing began (the shutdown sequence that would say `Connection: close` is
 * not used here) kept a suite's afterAll waiting past jest's hook timeout.
 */
const CLOSE_GRACE_MS = 3_000;

/** Boots the real app (real Fastify, real sockets) exactly as main.ts does, on port 0. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  configureLogger({ level: config.LOG_LEVEL, service: 'rampart-test' });
  const { app, port, adminPort, probePort, serializersWarmed } = await startApp(config);
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    probeUrl: `http://127.0.0.1:${probePort}`,
    ports: { public: port, admin: adminPort, probe: probePort },
    serializersWarmed,
    close: async () => {
      const server = app.getHttpServer();
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
    },
  };
}
