import { backendUrls } from './backend-urls.field.js';
import { chaosStatus } from './chaos-status.field.js';
import { decimal, int } from './config.fields.js';
import { upstreamPath } from './upstream-path.field.js';

/** Upstream client, cockatiel policies and chaos knobs (resilience). */
export const upstreamConfigShape = {
  BACKEND_URLS: backendUrls(),
  // An origin-form target: `/a b` started, then every backend call failed with a 500.
  UPSTREAM_PATH: upstreamPath(),
  UPSTREAM_CONNECTIONS: int(1, 10_000).default(64),
  UPSTREAM_CONNECT_TIMEOUT_MS: int(1, 600_000).default(1_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: int(1, 600_000).default(10_000),
  UPSTREAM_BODY_TIMEOUT_MS: int(1, 600_000).default(10_000),
  UPSTREAM_TIMEOUT_MS: int(1, 600_000).default(2_000),
  // Kept back from the caller's remaining deadline: the backend is told `remaining - margin` in
  // x-request-timeout and this instance waits until `remaining - margin/2`: half for the answer
  // (even a 504) to travel back, half to send its own reply. 50 ms covers a few hops on a busy
  // node; it is noise against second-scale deadlines.
  UPSTREAM_DEADLINE_MARGIN_MS: int(0, 10_000).default(50),
  UPSTREAM_RETRY_MAX: int(0, 10).default(2),
  // Full-jitter backoff: retry n waits random(0, min(MAX, BASE * 2^n)) ms (AWS Architecture Blog,
  // "Exponential Backoff And Jitter").
  UPSTREAM_RETRY_BASE_DELAY_MS: int(1, 60_000).default(50),
  UPSTREAM_RETRY_MAX_DELAY_MS: int(1, 600_000).default(1_000),
  UPSTREAM_RETRY_BUDGET_PERCENT: int(0, 100).default(20),
  UPSTREAM_BREAKER_THRESHOLD: int(1, 10_000).default(5),
  UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: int(1, 3_600_000).default(5_000),
  // The bulkhead per backend. Together a quarter each of the public port's initial admission
  // limit (ADMISSION_INITIAL_LIMIT, 100): a backend that hangs holds at most half the requests
  // rampart serves at once, for up to UPSTREAM_TIMEOUT_MS, and every other route keeps the rest.
  // At 100 each, one hung backend took every slot and /hello was refused (503). 25 calls in flight
  // carry 2,500 calls/s at a backend's 10 ms.
  UPSTREAM_MAX_CONCURRENT: int(1, 100_000).default(25),
  UPSTREAM_MAX_QUEUE: int(0, 100_000).default(25),
  CHAOS_ERROR_RATE: decimal(0, 1).default(0),
  CHAOS_ERROR_STATUS: chaosStatus().default(503),
  CHAOS_LATENCY_MS: int(0, 600_000).default(0),
  CHAOS_LATENCY_JITTER_MS: int(0, 600_000).default(0),
};
