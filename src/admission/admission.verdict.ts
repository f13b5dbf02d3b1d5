import type { Waiter } from './admission.queue.js';

// What the gate (admission.gate.ts) and the raw request listener (admission.listener.ts) say to
// each other per request, apart from both so that the gate's parts (admission.parts.ts) can
// name a waiter without importing the gate that builds them.

/** What admission decided for one request (numbers: compared on every request). */
export const enum Verdict {
  Admit = 0,
  /** Over the limit: wait() may queue it. */
  OverLimit = 1,
  /** The loop is blocked: refuse at once. */
  LoopLagging = 2,
}

/** A request waiting in the admission queue; the gate calls exactly one of admit or refuse. */
export interface GateWaiter extends Waiter {
  admit(): void;
  refuse(): void;
}
