import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LogThrottle } from '../logging/log.throttle.js';
import { logger } from '../logging/logger.js';
import type { MetricsService } from '../metrics/metrics.service.js';

/** What the cache does as this replica stops and starts hearing other replicas' writes. */
export interface HearingHandlers {
  /** Invalidations may be missed from now on: serve and store nothing. */
  deaf: () => void;
  /** Subscribed (again): drop what may have been missed, and cache again. */
  heard: () => void;
}

/**
 * Whether this replica hears other replicas' invalidations: its SUBSCRIBE confirmed, and its
 * subscriber connection not closed since. While it does not, a write elsewhere reaches the
 * replicas still subscribed, its PUBLISH counts only those, and it answers 200 fully confirmed:
 * this replica, not told, served its copy until it resubscribed (CLIENT KILL TYPE pubsub, or a
 * Redis restart or failover that replicas rejoin at different times: stale for 52-215 ms each
 * time, counted nowhere). So from the connection's 'close' (and from start) until the SUBSCRIBE
 * is confirmed, the cache is out of use (HearingHandlers.deaf), and `items_cache_blind` says so.
 * The line saying so is written at most once per 10 s; its end is logged after a line written.
 */
export class ItemInvalidationHearing {
  private hearing = true;
  private handlers: HearingHandlers = { deaf: () => undefined, heard: () => undefined };
  private subscriber?: Redis;
  private deafSince = 0;
  /** Whether the current deafness got its line, so its end gets one too. */
  private announced = false;
  private readonly lines = new LogThrottle();
  private waiter?: () => void;

  constructor(
    metrics: MetricsService,
    private readonly log: Pick<Logger, 'info' | 'warn'> = logger.child({ module: 'items' }),
  ) {
    metrics.readGauge(
      'items_cache_blind',
      "1 while this replica cannot hear other replicas' item invalidations (its Redis subscription lost, or not yet confirmed at start): its item reads skip the cache and query the database",
      () => (this.hearing ? 0 : 1),
    );
  }

  /** Registers the cache's side, and tells it at once if it must not serve now. */
  listen(handlers: HearingHandlers): void {
    this.handlers = handlers;
    if (!this.hearing) handlers.deaf();
  }

  /**
   * Follows `subscriber`, deaf until `subscribe` is first confirmed. Waits up to `startWaitMs`
   * for that (a healthy start then serves from its cache at once); a start that ends deaf is
   * logged, one that subscribes within milliseconds is not.
   */
  async follow(
    subscriber: Redis,
    subscribe: () => Promise<unknown>,
    startWaitMs: number,
  ): Promise<void> {
    this.subscriber = subscriber;
    this.deafen();
    // Subscribed on every connection, not once: ioredis re-subscribes only channels whose
    // SUBSCRIBE went through, so a replica that started while Redis was away never subscribed
    // (it served stale items, and its own writes waited out ACK_TIMEOUT_MS for its own ack).
    subscriber.on('ready', () => {
      subscribe().then(
        () => this.subscribed(),
        (error: unknown) =>
          this.log.warn(
            { err: error },
            'cache invalidation subscribe failed; retried on reconnect',
          ),
      );
    });
    // 'close' is ioredis's first word of a connection ending ('reconnecting' or 'end' follow it,
    // event_handler.js), on the tick after its socket closed.
    subscriber.on('close', this.closed);
    if (startWaitMs > 0 && !this.hearing) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, startWaitMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    if (!this.hearing) this.announce('not subscribed at start');
  }

  /** Shutting down: the subscriber's close is no loss worth a line. */
  stop(): void {
    this.subscriber?.removeListener('close', this.closed);
  }

  private readonly closed = () => {
    if (!this.hearing) return;
    this.deafen();
    this.announce('subscriber connection closed');
  };

  /** SUBSCRIBE confirmed: the cache is dropped (it may have missed messages) and used again. */
  private subscribed(): void {
    const wasDeaf = !this.hearing;
    this.hearing = true;
    this.handlers.heard();
    this.waiter?.();
    if (wasDeaf && this.announced) {
      this.announced = false;
      this.log.info(
        { deafMs: Date.now() - this.deafSince },
        'item cache in use again: subscribed to invalidations, cache dropped (it may have missed some)',
      );
    }
  }

  private deafen(): void {
    this.hearing = false;
    this.deafSince = Date.now();
    this.handlers.deaf();
  }

  private announce(reason: string): void {
    const line = this.lines.take();
    this.announced = line !== undefined;
    if (!line) return;
    this.log.warn(
      { reason, ...line },
      "item cache out of use: this replica cannot hear other replicas' invalidations; reads query the database until it is subscribed again",
    );
  }
}
