import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { registerChaos } from '../chaos/chaos.hook.js';
import type { AppConfig } from '../config/config.schema.js';
import { isProbe, PROBE_PATHS } from '../health/health.paths.js';
import { httpServerMetrics } from '../metrics/http-server.metrics.js';
import { registerRequestContext } from '../request-context/request-context.hook.js';
import { registerServerSpan } from '../telemetry/server-span.hooks.js';
import { AccessLog } from './access.log.js';
import { declareMatchedRoute, routeOf } from './matched-route.js';

export interface HttpHookDeps {
  config: AppConfig;
  isDraining: () => boolean;
  /** Called when a deadline passes while the request body is still arriving (socket-timeouts.ts). */
  onBodyTimeout?: () => void;
}

/**
 * Every cross-cutting hook of the public listener, in the order a request meets them (admission
 * comes before all of them, at the raw request listener: admission/admission.listener.ts):
 * 0. the trace's server span, first so every later hook runs (and logs) inside it
 *    (telemetry/server-span.hooks.ts; probes are not traced);
 * 2. request context: id, deadline, AbortSignal (request-context.hook.ts);
 * 2a. chaos: injected latency and errors, probes excepted (chaos/chaos.hook.ts), after the
 *    context so the injected wait honours the deadline;
 * 3. `Connection: close` while draining, so clients move to another pod;
 * 4. once the response is written, in one hook: the request duration histogram
 *    (metrics/http-server.metrics.ts) and one access-log line per request (access.log.ts).
 */
export function registerHttpHooks(app: FastifyInstance, deps: HttpHookDeps): void {
  declareMatchedRoute(app);
  registerServerSpan(app, PROBE_PATHS);

  registerRequestContext(app, deps.config.REQUEST_TIMEOUT_MS, deps.onBodyTimeout);
  registerChaos(app);

  app.addHook('onSend', (_request, reply, payload, done) => {
    if (deps.isDraining()) reply.header('connection', 'close');
    done(null, payload);
  });

  // One hook for both: each is on every request's path, and both need the route.
  const { METRICS_ENABLED: metrics, ACCESS_LOG_ENABLED: accessLogged } = deps.config;
  const accessLog = accessLogged ? new AccessLog(deps.config.OTEL_SERVICE_NAME) : undefined;
  if (metrics || accessLog) {
    app.addHook('onResponse', (request, reply, done) => {
      const route = routeOf(request) ?? 'unmatched';
      // Fastify computes both on each read (getters); read once for both consumers.
      const { statusCode, elapsedTime } = reply;
      if (metrics) httpServerMetrics.record(route, request.method, statusCode, elapsedTime);
      // Probes every few seconds per pod would drown the log; they are logged at debug.
      accessLog?.write(request, route, statusCode, elapsedTime, isProbe(request));
      done();
    });
  }
}

/**
 * Rate limiting (@fastify/rate-limit, options from redis/rate-limit.options.ts), when enabled.
 * Awaited before the routes exist so its onRoute hook sees every route; its per-route onRequest
 * hook runs after the global hooks above, so a 429 already carries its request id and span.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  options: RateLimitPluginOptions | undefined,
): Promise<void> {
  if (options) await app.register(rateLimit, options);
}
