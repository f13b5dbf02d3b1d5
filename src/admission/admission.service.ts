import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Server } from 'node:http';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { AdmissionGate } from './admission.gate.js';
import { buildAdmissionParts, type AdmissionParts } from './admission.parts.js';

/**
 * Admission's one provider: builds the gate (admission.gate.ts, what is decided per request) and
 * its parts (admission.parts.ts), bounds the public listener's connections, runs admission's
 * clocks, and reports on them. Nothing here is on the request path: the raw request listener is
 * handed the gate itself (app.factory.ts), and the gate reads its parts from fields of its own.
 * app.factory.ts attaches it to the public server before the port opens and starts it once every
 * listener is open; the shutdown sequence (lifecycle/shutdown.service.ts) stops the listener
 * hold, and Nest's shutdown hooks stop the clocks.
 */
@Injectable()
export class AdmissionService implements BeforeApplicationShutdown, OnApplicationShutdown {
  /** Admits, queues or refuses each request at the raw listener (admission.listener.ts). */
  readonly gate: AdmissionGate;
  /** The event loop, judged every window (delay refusals, readiness, status page). */
  readonly loop: AdmissionParts['loop'];
  private readonly hold: AdmissionParts['hold'];
  private readonly window: AdmissionParts['window'];
  private readonly metrics: AdmissionParts['metrics'];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    // The parts read the gate's counts and hand work back to it, and the gate decides with the
    // parts: these functions run only once both are built (a window, a scrape, an accept).
    const parts = buildAdmissionParts(config, metrics, {
      inFlight: () => gate.inFlight,
      parked: () => gate.parkedCount,
      sustainedAt: (now) => gate.sustainedAt(now),
      drain: (now) => gate.drain(now),
    });
    const gate = new AdmissionGate(config, parts);
    this.gate = gate;
    this.loop = parts.loop;
    this.hold = parts.hold;
    this.window = parts.window;
    this.metrics = parts.metrics;
  }

  get enabled(): boolean {
    return this.config.ADMISSION_ENABLED;
  }

  get limit(): number {
    return this.gate.limit;
  }

  get inFlight(): number {
    return this.gate.inFlight;
  }

  /** Bounds the public listener's connections and counts the ones it closes at accept. */
  attach(server: Server): void {
    if (this.config.HTTP_MAX_CONNECTIONS > 0)
      server.maxConnections = this.config.HTTP_MAX_CONNECTIONS;
    server.on('drop', () => this.metrics.connectionsDropped.inc());
    if (this.enabled) this.hold.count(server);
  }

  /** Whether connections are held near the limit (sustained overload, listener.hold.ts). */
  get connectionsHeld(): boolean {
    return this.hold.engaged;
  }

  /** Reopens a paused public listener for good: shutdown closes it its own way. */
  stopPausing(): void {
    this.hold.stop();
  }

  /**
   * Starts measuring once the listeners are open: start-up stalls the loop and must not count.
   * With `server`, the public listener may be paused during sustained overload.
   */
  start(server?: Server): void {
    if (server && this.enabled && this.config.ADMISSION_HOLD_CONNECTIONS) this.hold.start(server);
    this.loop.start();
    this.window.start();
  }

  /** Nest closes the HTTP server after this: it must be listening to be closed. */
  beforeApplicationShutdown(): void {
    this.stopPausing();
  }

  onApplicationShutdown(): void {
    this.window.stop();
    this.gate.stop();
    this.loop.stop();
  }
}
