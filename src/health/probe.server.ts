import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { listenAs } from '../config/listen.error.js';
import { CLIENT_ERROR_ANSWERS } from '../errors/client-error.reply.js';
import { CLIENT_TEXT_MODULE } from '../errors/client-text.js';
import { NO_EXPECTATION, ONLY_CONTINUE } from '../errors/expect.reply.js';
import { LINGERING_CLOSE_MODULE } from '../errors/lingering-close.js';
import { buildProblem, classifyError } from '../errors/problem.js';
import { TARGET_FORM_MODULE } from '../errors/target-form.js';
import { LONGEST_METHOD_KEPT, TOKEN_START } from '../errors/unknown-method.js';
import { REQUEST_ID } from '../request-context/request-id.js';
import { REQUEST_TARGET_MODULE } from '../protocol/request-target.js';
import { httpVersionDetail } from '../protocol/protocol.errors.js';
import { LIVENESS_PATH, PROBE_PATHS, STARTUP_PATH } from './health.paths.js';
import { PROBE_WORKER_SOURCE } from './probe.worker.js';
import { ReadinessService } from './readiness.service.js';

// The main thread proves it is turning 10 times a second.
const HEARTBEAT_MS = 100;
// /healthz fails once the main loop has not turned for 5 s: far beyond any turn admission lets
// a busy loop take (the connection cap bounds it to a fraction of a second), well inside the
// liveness budget (3 x 10 s), so only a wedged loop is restarted.
const STALL_MS = 5_000;
// /readyz waits this long for the main thread's own answer (the probes' timeoutSeconds is 2 s),
// then serves its last answer if it is at most 10 s old: a pod busy at its limits stays in
// rotation, one whose loop stopped answering leaves it.
const ANSWER_WITHIN_MS = 1_000;
const STALE_MS = 10_000;

/** What the probe thread (probe.worker.ts) starts with. */
export function probeWorkerData(
  config: Pick<AppConfig, 'PROBE_PORT' | 'HOST'>,
  heartbeat: SharedArrayBuffer,
  livenessFailure: string | undefined,
) {
  return {
    port: config.PROBE_PORT,
    host: config.HOST,
    heartbeat,
    stallMs: STALL_MS,
    answerWithinMs: ANSWER_WITHIN_MS,
    staleMs: STALE_MS,
    livenessFailure,
    // The public port's probe routes, so the two ports serve the same paths (a Set clones as one).
    probePaths: PROBE_PATHS,
    livenessPath: LIVENESS_PATH,
    // The other ports' rules, so the three answer alike (Maps and RegExps clone as data).
    clientErrors: CLIENT_ERROR_ANSWERS,
    requestIdPattern: REQUEST_ID,
    noExpectation: NO_EXPECTATION,
    onlyContinue: ONLY_CONTINUE,
    tokenStart: TOKEN_START,
    longestMethodKept: LONGEST_METHOD_KEPT,
    // The other ports' close after an answer the body did not wait for, their reading of a
    // request target and their cut of it in a 404's detail, imported by the thread.
    lingeringCloseModule: LINGERING_CLOSE_MODULE,
    targetFormModule: TARGET_FORM_MODULE,
    requestTargetModule: REQUEST_TARGET_MODULE,
    clientTextModule: CLIENT_TEXT_MODULE,
    // The versions llhttp passes; it refuses the rest (clientErrors).
    versionDetails: new Map(['0.9', '2.0'].map((v) => [v, httpVersionDetail(v)])),
  };
}

/**
 * The kubelet's listener on PROBE_PORT: /healthz, /readyz and /startupz, the same checks as on
 * the public port (health.controller.ts). Used by every probe in k8s/base/deployment.yaml.
 * Why a listener of its own: the public port refuses excess connections at accept
 * (HTTP_MAX_CONNECTIONS), bounds its listen backlog and answers 503 past the concurrency limit;
 * a probe there would be refused with the excess, and a liveness probe failing under load
 * restarts a busy pod and pushes its load onto the rest. Why a thread of its own
 * (probe.worker.ts): the first version served probes on the main event loop, and the overload
 * bench still saw probes miss their 2 s timeout behind a saturated loop's turn. The thread
 * answers at once; liveness still reflects the main loop (its heartbeat), readiness its checks.
 */
@Injectable()
export class ProbeServer implements OnApplicationShutdown {
  private worker?: Worker;
  private heartbeat?: NodeJS.Timeout;
  private boundPort = 0;
  private failure?: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessService,
  ) {}

  /** Opened by app.factory.ts with the other listeners; resolves once the port is bound. */
  async listen(): Promise<void> {
    const beat = new Float64Array(new SharedArrayBuffer(8));
    beat[0] = Date.now();
    this.heartbeat = setInterval(() => (beat[0] = Date.now()), HEARTBEAT_MS);
    this.heartbeat.unref();
    const worker = new Worker(PROBE_WORKER_SOURCE, {
      eval: true,
      workerData: probeWorkerData(this.config, beat.buffer, this.failure),
    });
    this.worker = worker;
    const { PROBE_PORT, HOST } = this.config;
    this.boundPort = await listenAs({ PROBE_PORT, HOST }, async () => {
      const [first] = (await Promise.race([once(worker, 'message'), once(worker, 'error')])) as [
        { listening?: number } | Error,
      ];
      if (first instanceof Error) throw first;
      return first.listening ?? 0;
    });
    worker.on('message', (ask: { id: number; path: string }) => void this.answer(ask));
    if (this.failure !== undefined) this.setLivenessFailure(this.failure);
    // A process whose shutdown forgot the thread must still exit.
    worker.unref();
  }

  get port(): number {
    return this.boundPort;
  }

  /** Why liveness is failed on purpose (admin /chaos/process/liveness), if it is. */
  get livenessFailure(): string | undefined {
    return this.failure;
  }

  /**
   * Makes /healthz answer 503 (LIVENESS_FAILED) on both ports until called with undefined, so
   * an operator can watch the kubelet restart the container. The thread is told by message:
   * the failure is set from a turning loop, unlike the heartbeat that must outlive a stuck one.
   */
  setLivenessFailure(reason: string | undefined): void {
    this.failure = reason;
    this.worker?.postMessage({ livenessFailure: reason ?? null });
  }

  private async answer(ask: { id: number; path: string }): Promise<void> {
    const checks: HealthIndicatorFunction[] =
      ask.path === STARTUP_PATH ? this.readiness.startupChecks() : this.readiness.readinessChecks();
    let status = 200;
    let body: string;
    try {
      body = JSON.stringify(await this.health.check(checks));
    } catch (error) {
      // Terminus throws 503 with the per-check details; the one mapping makes it the same
      // problem+json (NOT_READY) the public port answers.
      const classified = classifyError(error);
      status = classified.status;
      body = JSON.stringify(buildProblem(classified, { instance: ask.path }));
    }
    this.worker?.postMessage({ id: ask.id, path: ask.path, status, body, at: Date.now() });
  }

  /** Shutdown step 5 (after the public and admin listeners): /readyz keeps answering 503
   * through the drain, so the kubelet sees the pod leave rotation. */
  async onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.worker?.terminate();
  }
}
