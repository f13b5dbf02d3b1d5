import { flushLogger, logger } from '../logging/logger.js';
import {
  SAME_SIGNAL_WINDOW_MS,
  SIGNALS,
  takeEarlySignals,
  type EarlySignal,
} from '../early-signals.js';

const log = logger.child({ module: 'lifecycle' });

type Signal = EarlySignal;

/**
 * SIGTERM and SIGINT while the app starts, before ShutdownService owns them. Node's default ends
 * the process at once, and the public port listens a moment before start-up is over (the admin
 * and probe ports open after it): a request it had accepted was cut off, exit 130 or 143, no
 * drain. Held here instead, the signal is acted on the moment start-up ends, through the same
 * drain as any other. A second signal (not the echo of the first Ctrl-C) exits at once: a start
 * that hangs can still be stopped. A start-up that outlasts SHUTDOWN_TIMEOUT_MS from the signal
 * (waiting for the migration lock, a database that accepts and never answers) exits 1 then:
 * held without a bound, the signal was ignored until the kubelet's SIGKILL.
 */
export class StartupSignals {
  private held?: HeldSignal;
  private readonly signalled = new AbortController();
  /**
   * Aborts at the first signal held: start-up work that would only delay the drain stops there
   * (the start-up migrations: app.factory.ts), rather than run on until SHUTDOWN_TIMEOUT_MS.
   */
  readonly stopping: AbortSignal = this.signalled.signal;
  private limit?: NodeJS.Timeout;
  private readonly listeners = new Map<Signal, () => void>();

  /** @param limitMs SHUTDOWN_TIMEOUT_MS: the most a held signal waits for start-up to end */
  constructor(private readonly limitMs: number) {
    for (const signal of SIGNALS) {
      const listener = (): void => this.onSignal(signal);
      this.listeners.set(signal, listener);
      process.on(signal, listener);
    }
    // Listening now: what arrived while the bundle loaded is acted on as if heard then.
    for (const { signal, at } of takeEarlySignals()) this.onSignal(signal, at);
  }

  /** Stops holding (ShutdownService has installed its own); returns the signal held, if any. */
  release(): HeldSignal | undefined {
    for (const [signal, listener] of this.listeners) process.off(signal, listener);
    clearTimeout(this.limit);
    return this.held;
  }

  private onSignal(signal: Signal, at = performance.now()): void {
    const held = this.held;
    if (held === undefined) {
      this.held = { signal, at };
      log.warn({ signal }, 'signal during start-up: shutting down once started (again: at once)');
      const leftMs = this.limitMs - (performance.now() - at);
      this.limit = setTimeout(() => this.startedTooLate(signal), Math.max(0, leftMs));
      // Never the reason a process stays up: start-up's own work keeps it alive, or it is over.
      this.limit.unref();
      this.signalled.abort();
      return;
    }
    if (held.signal === signal && at - held.at < SAME_SIGNAL_WINDOW_MS) return;
    log.error({ signal }, 'second signal during start-up: exiting at once');
    flushLogger();
    // 130, as a second signal during the drain exits (shutdown.service.ts, docs/shutdown.md).
    process.exit(130);
  }

  private startedTooLate(signal: Signal): void {
    log.error(
      { signal, timeoutMs: this.limitMs },
      'start-up did not end within SHUTDOWN_TIMEOUT_MS of the signal: exiting 1',
    );
    flushLogger();
    // 1, as a shutdown that outlasts SHUTDOWN_TIMEOUT_MS exits (shutdown.service.ts).
    process.exit(1);
  }
}

/** A signal held through start-up, and when it came (performance.now()). */
export interface HeldSignal {
  signal: Signal;
  at: number;
}
