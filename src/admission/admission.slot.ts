import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

/** What an admitted request's slot needs from the gate that gave it. */
export interface SlotOwner {
  /** A parked request gave its slot back for now: admit a waiter in its place. */
  vacate(): void;
  /** A parked request resumed: it holds a slot again, over the limit if need be. */
  occupy(): void;
  /**
   * The request finished: free its slot if it holds one; `busyMs` is its time not parked, a
   * latency sample only if `answered` (the response was sent, not cut by its client leaving).
   */
  release(busyMs: number, holdsSlot: boolean, answered: boolean): void;
}

/**
 * An admitted request's place in the concurrency limit (admission.gate.ts), released once: when
 * its answer is made (http/http.hooks.ts, onSend), or else when its response closes. While parked (`park()` … `unpark()`), the request waits on work another
 * request or a shared statement does for it (a counter increment waiting for its batch's
 * statement, increment.combiner.ts): it uses no CPU and no connection of its own, so its slot
 * goes to the next request and the limiter reads neither the wait as queueing nor the request
 * as in flight. A goroutine blocked on a channel is not what a Go service's limiter counts
 * either. Parked requests are bounded by what parks them (the combiner, the connection cap).
 */
export class AdmissionSlot {
  private parkedAt = -1;
  private parkedMs = 0;
  private released = false;
  /**
   * The request's own close-time work (http/request-state.hook.ts), run by the slot's close
   * listener after the release: an admitted response then carries one `close` listener, not two.
   */
  onClose: (() => void) | undefined = undefined;

  /**
   * @param queuedMs how long the request waited in the admission queue before this slot: part of
   *   its time, which its deadline, its duration and its access line count from arrival
   */
  constructor(
    private readonly owner: SlotOwner,
    private readonly admittedAt: number,
    readonly queuedMs = 0,
    private readonly clock: { now(): number } = performance,
  ) {}

  get parked(): boolean {
    return this.parkedAt >= 0;
  }

  park(): void {
    if (this.released || this.parkedAt >= 0) return;
    this.parkedAt = this.clock.now();
    this.owner.vacate();
  }

  unpark(): void {
    if (this.parkedAt < 0) return;
    this.parkedMs += this.clock.now() - this.parkedAt;
    this.parkedAt = -1;
    if (!this.released) this.owner.occupy();
  }

  /**
   * The response closed: the slot is released, then the request's own close-time work runs.
   * @param answered whether the response was sent in full (`res.writableFinished`)
   */
  closed(answered: boolean): void {
    this.release(answered);
    this.onClose?.();
  }

  /**
   * Frees the slot once. Only an answered request's time is a latency sample for the limiter: a
   * request whose client left was cut short at a time the client chose, and one admitted after its
   * client left was never served; either would read as a fast answer and let the limit grow
   * (Netflix concurrency-limits calls this `onIgnore`; Envoy's adaptive concurrency filter samples
   * only requests that got a response).
   */
  release(answered: boolean): void {
    if (this.released) return;
    this.released = true;
    const now = this.clock.now();
    const holdsSlot = this.parkedAt < 0;
    if (!holdsSlot) this.parkedMs += now - this.parkedAt;
    this.parkedAt = -1;
    this.owner.release(now - this.admittedAt - this.parkedMs, holdsSlot, answered);
  }
}

const SLOT = Symbol('rampart.admissionSlot');

/** Attaches `slot` to the raw request it admitted (admission.listener.ts). */
export function attachSlot(req: IncomingMessage, slot: AdmissionSlot): void {
  (req as IncomingMessage & { [SLOT]?: AdmissionSlot })[SLOT] = slot;
}

/** The slot that admitted `req`; undefined for probes, or with admission off. */
export function slotOf(req: IncomingMessage): AdmissionSlot | undefined {
  return (req as IncomingMessage & { [SLOT]?: AdmissionSlot })[SLOT];
}
