import { flushLogger, logger } from '../logging/logger.js';
import { SIGNALS, takeEarlySignals, type EarlySignal } from '../early-signals.js';

const log = logger.child({ module: 'lifecycle' });

type Signal = EarlySignal;
/** As shutdown.service.ts: npm's forwarded copy of one Ctrl-C comes within a millisecond. */
const SAME_SIGNAL_WINDOW_MS = 500;

/**
 * SIGTERM and SIGINT while the app starts, before ShutdownService owns them. Node's default ends
 * the process at once, and the public port listens a moment before start-up is over (the admin
 * and probe ports open after it): a request it had accepted was cut off, exit 130 or 143, no
 * drain. Held here instead, the signal is acted on the moment start-up ends, through the same
 * drain as any other. A second signal (not the echo of the first Ctrl-C) exits at once: a start
 * that hangs can still be stopped.
 */
export class StartupSignals {
  private held?: { signal: Signal; at: number };
  private readonly listeners = new Map<Signal, () => void>();

  constructor() {
    for (const signal of SIGNALS) {
      const listener = (): void => this.onSignal(signal);
      this.listeners.set(signal, listener);
      process.on(signal, listener);
    }
    // Listening now: what arrived while the bundle loaded is acted on as if heard then.
    for (const { signal, at } of takeEarlySignals()) this.onSignal(signal, at);
  }

  /** Stops holding (ShutdownService has installed its own); returns the signal held, if any. */
  release(): Signal | undefined {
    for (const [signal, listener] of this.listeners) process.off(signal, listener);
    return this.held?.signal;
  }

  private onSignal(signal: Signal, at = performance.now()): void {
    const held = this.held;
    if (held === undefined) {
      this.held = { signal, at };
      log.warn({ signal }, 'signal during start-up: shutting down once started (again: at once)');
      return;
    }
    if (held.signal === signal && at - held.at < SAME_SIGNAL_WINDOW_MS) return;
    log.error({ signal }, 'second signal during start-up: exiting at once');
    flushLogger();
    // 130, as a second signal during the drain exits (shutdown.service.ts, docs/shutdown.md).
    process.exit(130);
  }
}
