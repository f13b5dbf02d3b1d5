import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AdminServer } from './admin/admin.server.js';
import { AdmissionListener } from './admission/admission.listener.js';
import { AdmissionService } from './admission/admission.service.js';
import { AppModule } from './app.module.js';
import { registerProcessChaos } from './chaos/process-chaos.hooks.js';
import { ProcessChaos } from './chaos/process-chaos.service.js';
import { registerChaos } from './chaos/chaos.hook.js';
import { ChaosState } from './chaos/chaos.state.js';
import type { AppConfig } from './config/config.schema.js';
import { listenAs } from './config/listen.error.js';
import { DatabaseService } from './database/database.service.js';
import { checkDataDir } from './database/pglite.datadir-check.js';
import { answerUnmetExpectation, continueUnlessTooLarge } from './errors/expect.reply.js';
import { ProblemCounts } from './errors/problem.counts.js';
import { ProbeServer } from './health/probe.server.js';
import { ReadinessService } from './health/readiness.service.js';
import { registerHttpHooks } from './http/http.hooks.js';
import { registerRateLimit } from './http/rate-limit.hook.js';
import { PublicFastifyAdapter } from './http/public.adapter.js';
import { publicServerOptions } from './http/server.options.js';
import { logger } from './logging/logger.js';
import { NestPinoLogger } from './logging/nest.logger.js';
import { HttpServerMetrics } from './metrics/http-server.metrics.js';
import { DeferredSerializers } from './protocol/deferred.serializers.js';
import { boundChunkedFraming } from './protocol/chunked-framing.bound.js';
import { countSocketTimeouts } from './protocol/socket-timeouts.js';
import { registerBodylessRouteCheck } from './protocol/bodyless-route.check.js';
import { registerHeadNoContent } from './protocol/head-no-content.js';
import { registerJsonBodyParser } from './protocol/json.body-parser.js';
import { registerLingeringClose } from './errors/lingering-close.js';
import { registerProtocolChecks, registerRouteChecks } from './protocol/protocol.hook.js';
import { InFlightRegistry } from './request-context/in-flight.registry.js';
import { RateLimitFailOpen } from './redis/rate-limit.fail-open.js';
import { rateLimitOptions } from './redis/rate-limit.options.js';
import { RedisNames } from './redis/redis.names.js';
import { RedisService } from './redis/redis.service.js';

export interface RunningApp {
  app: NestFastifyApplication;
  /** Public port actually bound (differs from PORT when PORT=0, as in tests). */
  port: number;
  adminPort: number;
  /** The kubelet's probe listener (PROBE_PORT). */
  probePort: number;
  /**
   * Resolves once every response serializer of both listeners has compiled (they compile after
   * the ports listen: protocol/deferred.serializers.ts), with the routes whose schema did not.
   */
  serializersWarmed: Promise<string[]>;
}

export interface StartOptions {
  /**
   * Aborts when a signal is held during start-up (lifecycle/startup-signals.ts): a start-up
   * migration still at work stops there, and start-up ends for the drain the signal asked for.
   */
  stopping?: AbortSignal;
}

/**
 * Builds and starts rampart: public listener, admin listener, probe listener, then marks
 * start-up done.
 * main.ts and the e2e tests share this, so tests boot exactly what production runs.
 */
export async function startApp(
  config: AppConfig,
  { stopping }: StartOptions = {},
): Promise<RunningApp> {
  // First: a DATA_DIR the embedded database cannot use is a setting's fault, said at once. Left
  // to the database module it came after Nest built every module and PGlite's package loaded
  // (seconds on a busy node), for a directory a stat() shows is wrong.
  if (!config.DATABASE_URL && config.DATA_DIR) await checkDataDir(config.DATA_DIR);
  // Admission decides at the raw request listener; the gate it uses is built by Nest below.
  const admissionListener = new AdmissionListener(config.REQUEST_TIMEOUT_MS);
  // rampart registers no Nest middleware: without @fastify/middie, one hook less per request
  // (a middleware added by mistake fails at start-up instead). The adapter is Nest's, with the
  // request state and protocol checks for the targets its own hook sends to the not-found handler.
  const adapter = new PublicFastifyAdapter({
    ...publicServerOptions(config, admissionListener),
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(logger.child({ module: 'nest' })),
    abortOnError: false,
    // Nest's parsers would accept form posts; the body parser is protocol/json.body-parser.ts.
    bodyParser: false,
  });
  const readiness = app.get(ReadinessService);
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  // Response serializers compile after the port listens, not before (deferred.serializers.ts).
  const serializers = new DeferredSerializers();
  fastify.setSerializerCompiler(serializers.compiler);
  const admission = app.get(AdmissionService);
  const httpMetrics = app.get(HttpServerMetrics);
  countSocketTimeouts(fastify.server, (phase) => httpMetrics.countTimeout(phase));
  fastify.server.on('checkExpectation', answerUnmetExpectation(fastify, fastify.server));
  fastify.server.on(
    'checkContinue',
    continueUnlessTooLarge(fastify, fastify.server, config.HTTP_BODY_LIMIT_BYTES),
  );
  boundChunkedFraming(fastify.server, config.HTTP_BODY_LIMIT_BYTES);
  const problemCounts = app.get(ProblemCounts);
  problemCounts.attach(fastify);
  const publicHooks = registerHttpHooks(fastify, {
    config,
    isDraining: () => readiness.isDraining,
    inFlight: app.get(InFlightRegistry),
    metrics: httpMetrics,
    onTimeout: (phase) => httpMetrics.countTimeout(phase),
  });
  adapter.useHooks(publicHooks);
  registerProcessChaos(fastify, app.get(ProcessChaos));
  registerChaos(fastify, app.get(ChaosState));
  const limits = rateLimitOptions(config, app.get(RedisService).client, app.get(RedisNames));
  registerProtocolChecks(fastify, limits ? 'later' : 'here');
  registerJsonBodyParser(fastify);
  registerLingeringClose(fastify);
  registerBodylessRouteCheck(fastify);
  registerHeadNoContent(fastify);
  await registerRateLimit(fastify, limits, app.get(RateLimitFailOpen));
  // After the limiter: a limited client's 404s and 405s are refused 429 too.
  if (limits) registerRouteChecks(fastify);
  admission.attach(fastify.server);
  admissionListener.use(admission.enabled ? admission.gate : undefined, problemCounts);
  // Waiting for another replica's migration lock, or a migration blocked on the server, held
  // the signal to SHUTDOWN_TIMEOUT_MS (exit 1), and the blocked statement outlived the process.
  const database = app.get(DatabaseService);
  if (stopping?.aborted) void database.stopMigrations();
  stopping?.addEventListener('abort', () => void database.stopMigrations(), { once: true });
  // The modules start here (migrations, connections), not inside listen(): a failure there is
  // not the listener's, and its stack keeps this function in V8's ten frames.
  await app.init();
  await listenAs({ PORT: config.PORT, HOST: config.HOST }, () =>
    app.listen({ port: config.PORT, host: config.HOST, backlog: config.HTTP_LISTEN_BACKLOG }),
  );
  const admin = app.get(AdminServer);
  await admin.listen();
  const probes = app.get(ProbeServer);
  await probes.listen();
  admission.start(fastify.server);
  readiness.markStarted();
  const serializersWarmed = Promise.all([serializers.warm(), admin.serializersWarmed]).then(
    ([own, admins]) => [...own, ...(admins ?? [])],
  );
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return { app, port, adminPort: admin.port, probePort: probes.port, serializersWarmed };
}
