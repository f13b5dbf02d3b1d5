import { z } from 'zod';
import { bool, int, port } from './config.fields.js';
import { trustProxy } from './trust-proxy.field.js';

/** Listener, request lifecycle and shutdown knobs (foundation). */
export const httpConfigShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port().default(8080),
  // 0.0.0.0 so kubelet probes reach the pod IP, not only loopback.
  HOST: z.string().min(1).default('0.0.0.0'),
  ADMIN_PORT: port().default(9090),
  ADMIN_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HELLO_DELAY_MS: int(0, 3_600_000).default(0),
  HELLO_MAX_DELAY_MS: int(0, 3_600_000).default(30_000),
  REQUEST_TIMEOUT_MS: int(1, 3_600_000).default(30_000),
  // Must outlive load-balancer idle timeouts (AWS ALB 60 s, GCP 600 s is configurable) or the LB
  // reuses a socket Node already closed and the client sees a 502 (nodejs/node#20256).
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1_000, 3_600_000).default(75_000),
  HTTP_BODY_LIMIT_BYTES: int(1, 100 * 1024 * 1024).default(1024 * 1024),
  // Shed load with 503 once event-loop delay passes this; 0 disables shedding.
  EVENT_LOOP_MAX_DELAY_MS: int(0, 60_000).default(1_000),
  SHUTDOWN_DRAIN_DELAY_MS: int(0, 600_000).default(5_000),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(25_000),
  SERVICE_VERSION: z.string().min(1).default('0.1.0'),
  POD_NAME: z.string().optional(),
  POD_NAMESPACE: z.string().optional(),
  NODE_NAME: z.string().optional(),
  ACCESS_LOG_ENABLED: bool().default(true),
  // Which X-Forwarded-For hops are believed for the client address (rate-limit key, spans,
  // access log): off, a hop count, or the proxies' IPs/CIDRs (trust-proxy.field.ts).
  TRUST_PROXY: trustProxy().default(false),
};
