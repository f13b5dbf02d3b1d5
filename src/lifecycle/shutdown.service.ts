import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminServer } from '../admin/admin.server.js';
import { AdmissionService } from '../admission/admission.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { SAME_SIGNAL_WINDOW_MS, SIGNALS } from '../early-signals.js';
import { ReadinessService } from '../health/readiness.service.js';
import { flushLogger, logger } from '../logging/logger.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { telemetryHandle } from '../telemetry/telemetry.handle.js';

const log = logger.child({ module: 'lifecycle' });

/** The longest the final span export may hold the exit (a healthy collector takes milliseconds). */
const TELEMETRY_FLUSH_BUDGET_MS = 2_000;
/** Left between the end of the flush and SHUTDOWN_TIMEOUT_MS, for the exit itself. */
const EXIT_MARGIN_MS = 250;

/**
 * The one owner of process shutdown. Nest's enableShutdownHooks is not used: it closes modules
 * (the DB pool) before the HTTP drain and exits before telemetry is flushed.
 */
@Injectable()
export class ShutdownService {
  private app?: INestApplication;
  private started = false;
  /** A programming error during the drain: it goes on, and the exit says it failed. */
  private failedWhileDraining = false;
  private firstSignal?: { signal: string; at: number };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
    private readonly admin: AdminServer,
    private readonly inFlight: InFlightRegistry,
    private readonly admission: AdmissionService,
    private readonly database: DatabaseService,
  ) {}

  /** Called once from main.ts after the listeners are open. */
  install(app: INestApplication): void {
    this.app = app;
    for (const signal of SIGNALS) {
      process.on(signal, () => this.onSignal(signal));
    }
  }

  /**
   * Ctrl-C under `npm start` delivers SIGINT twice within a millisecond: once from the terminal
   * to the whole foreground process group, once forwarded by npm to its script's process. The
   * same signal again within SAME_SIGNAL_WINDOW_MS is that one keystroke, not a second request.
   */
  private onSignal(signal: string): void {
    const first = this.firstSignal;
    if (first?.signal === signal && performance.now() - first.at < SAME_SIGNAL_WINDOW_MS) return;
    this.firstSignal ??= { signal, at: performance.now() };
    void this.shutdown(signal);
  }

  /**
   * 1. readiness → 503 at once, so the endpoints controller stops routing here; a start-up
   *    migration still at work (waiting for the lock, migrating, or waiting to retry) is
   *    stopped: its statement cancelled (its connection destroyed DB_HEALTH_TIMEOUT_MS later if
   *    the server ignores that: database/pg.abort.ts), the advisory lock let go for the replica
   *    replacing this one, the retry timer cleared. Not awaited here: step 5 waits for it before
   *    the pool ends;
   * 2. keep serving for SHUTDOWN_DRAIN_DELAY_MS while that news reaches every load balancer —
   *    only when someone may still be routing here: in Kubernetes (KUBERNETES_SERVICE_HOST set:
   *    endpoints drop a terminating pod asynchronously, probe or not) or once /readyz answered
   *    200 (a load balancer polls it). Otherwise (`npm start` on a laptop) nobody needs the
   *    news; requests already in flight need no delay either: step 3 waits for them;
   * 3. close the public listener: no new connections, idle keep-alive sockets closed, in-flight
   *    requests finish (their responses carry `Connection: close`);
   * 4. close the admin listener (metrics stay scrapable through the drain);
   * 5. close resources (DB pool, Redis, upstream clients) — after the drain, never before;
   * 6. flush telemetry last, so the spans of the final requests are exported (within a budget: a
   *    collector that is down costs those spans, not the exit status);
   * 7. exit 0. Past SHUTDOWN_TIMEOUT_MS: log what is still open and exit 1.
   * A second signal forces exit at once.
   * @param since when the signal came (performance.now()): one held through start-up
   *   (startup-signals.ts) has used part of SHUTDOWN_TIMEOUT_MS already
   */
  async shutdown(reason: string, exitCode = 0, since = performance.now()): Promise<void> {
    if (this.started) {
      if (!(SIGNALS as readonly string[]).includes(reason)) {
        // An uncaught exception during the drain is not an operator asking twice: the drain goes
        // on (the requests it waits for are not the failed one's), and the exit is 1.
        log.error({ reason }, 'failure during shutdown: the drain goes on, exit 1 at its end');
        this.failedWhileDraining = true;
        return;
      }
      log.error({ reason }, 'second signal during shutdown: forcing exit');
      return this.exit(130);
    }
    this.started = true;
    const leftMs = this.config.SHUTDOWN_TIMEOUT_MS - (performance.now() - since);
    const deadline = setTimeout(() => this.timedOut(), Math.max(0, leftMs));
    log.info({ reason, inFlight: this.inFlight.size }, 'shutdown: step 1, readiness 503');
    this.readiness.startDraining();
    // The drain delay keeps serving for whoever still routes here, and every answer now says
    // `Connection: close`: each request comes on a new connection, a few of which wait in the
    // accept queue, which the connection hold reads as sustained overload (it closed the port for
    // 1.9 s of a 5 s delay at a fifth of capacity, refusing connects). The port stays open until
    // step 3; past capacity the concurrency limit still answers 503.
    this.admission.stopPausing();
    // Left running, it held the pool's end at step 5, and the exit, to SHUTDOWN_TIMEOUT_MS; and
    // a migration blocked on the server outlived the process there, lock and all.
    void this.database.stopMigrations();

    if (this.config.KUBERNETES_SERVICE_HOST !== undefined || this.readiness.hasAnsweredReady) {
      log.info({ delayMs: this.config.SHUTDOWN_DRAIN_DELAY_MS }, 'shutdown: step 2, drain delay');
      await sleep(this.config.SHUTDOWN_DRAIN_DELAY_MS);
    }
    log.info({ inFlight: this.inFlight.size }, 'shutdown: step 3, closing public listener');
    try {
      // The listener listens (never paused since step 1), so closing it is the one close it meets.
      await this.publicServer()?.close();
      log.info('shutdown: step 4, closing admin listener');
      await this.admin.routes.close();
      log.info('shutdown: step 5, closing resources');
      await this.app?.close();
    } catch (error) {
      log.error({ err: error }, 'shutdown step failed');
      exitCode = 1;
    }
    log.info('shutdown: step 6, flushing telemetry');
    await this.flushTelemetry(since);
    clearTimeout(deadline);
    if (this.failedWhileDraining) exitCode = 1;
    log.info({ exitCode }, 'shutdown: step 7, exit');
    this.exit(exitCode);
  }

  /**
   * Exports what the span processor still holds, for at most TELEMETRY_FLUSH_BUDGET_MS and never
   * past the shutdown deadline. A collector that is down or hangs costs the last spans (counted as
   * failed exports), not the exit status: the drain itself was clean. Unbounded, the exporter's
   * retries held a shutdown 7.7 s on a refused connection and 10 s on a silent collector, and
   * failed it (exit 1) with nothing in flight.
   */
  private async flushTelemetry(startedAt: number): Promise<void> {
    const handle = telemetryHandle();
    if (handle === undefined) return;
    const left = this.config.SHUTDOWN_TIMEOUT_MS - (performance.now() - startedAt) - EXIT_MARGIN_MS;
    const budgetMs = Math.max(0, Math.min(TELEMETRY_FLUSH_BUDGET_MS, left));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      handle.shutdown().then(
        () => undefined,
        (error: unknown) => error,
      ),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budgetMs))),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      log.warn({ budgetMs }, 'telemetry not flushed in time: the last spans are not exported');
    else if (outcome !== undefined)
      log.warn({ err: outcome }, 'telemetry flush failed: the last spans are not exported');
  }

  private timedOut(): void {
    log.error(
      { timeoutMs: this.config.SHUTDOWN_TIMEOUT_MS, open: this.inFlight.snapshot() },
      'shutdown deadline passed with requests still open: exiting 1',
    );
    this.exit(1);
  }

  private publicServer(): FastifyInstance | undefined {
    return this.app?.getHttpAdapter().getInstance() as FastifyInstance;
  }

  private exit(code: number): void {
    flushLogger();
    process.exit(code);
  }
}
