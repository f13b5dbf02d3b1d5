import { performance } from 'node:perf_hooks';
import type { AppConfig } from '../config/config.schema.js';
import type { AdmissionParts } from './admission.parts.js';
import { AdmissionSlot, type SlotOwner } from './admission.slot.js';
import { Verdict, type GateWaiter } from './admission.verdict.js';
import { QueueExpiry } from './queue.expiry.js';

/** The settings the gate reads per request. */
type GateConfig = Pick<AppConfig, 'ADMISSION_QUEUE_MAX' | 'ADMISSION_QUEUE_TIMEOUT_MS'>;

/** The parts the gate decides with, per request (built in admission.parts.ts). */
export type GateParts = Pick<
  AdmissionParts,
  'limiter' | 'latencies' | 'queue' | 'loop' | 'metrics' | 'changes'
>;

/**
 * Admission for the public port. Decides per request, at the raw request listener
 * (admission.listener.ts):
 * 1. refused (SERVER_OVERLOADED) while the loop's delay passes EVENT_LOOP_MAX_DELAY_MS: a blocked
 *    loop answers nothing in time, so nothing new is started;
 * 2. over the adaptive limit (concurrency.limiter.ts), queued (wait(), admission.queue.ts) and
 *    refused (CONCURRENCY_LIMITED) when the queue is full or its wait ends (queue.expiry.ts);
 *    the limit is fed every window (admission.window.ts) with the median latency of finished
 *    requests and held from growing while event-loop utilization says the CPU is the
 *    bottleneck. (The loop's delay was an input too, at first: under a CPU-bound overload it
 *    counted the cost of the refusals themselves against the admitted requests and drove the
 *    limit to its floor, goodput with it. Latency measured in-process already includes the CPU
 *    queue they meet.)
 * 3. otherwise admitted; its slot (admission.slot.ts) is released when the response closes, and
 *    lent to the next request while the request is parked on shared work.
 * Connections are bounded before that, by the kernel and at accept. admission.service.ts, the
 * module's provider, builds the gate and its parts, bounds the listener and runs the clocks (the
 * loop's monitor, the window); what is here runs per request, each part read from a field of its
 * own.
 */
export class AdmissionGate implements SlotOwner {
  private readonly limiter: GateParts['limiter'];
  private readonly latencies: GateParts['latencies'];
  private readonly queue: GateParts['queue'];
  private readonly expiry: QueueExpiry<GateWaiter>;
  private readonly loop: GateParts['loop'];
  private readonly metrics: GateParts['metrics'];
  private admitted = 0;
  private parked = 0;
  private readonly changes: GateParts['changes'];

  constructor(
    private readonly config: GateConfig,
    parts: GateParts,
  ) {
    this.limiter = parts.limiter;
    this.latencies = parts.latencies;
    this.queue = parts.queue;
    // A queued request whose wait ended before a slot came: counted and refused.
    this.expiry = new QueueExpiry(parts.queue, (waiter) => {
      this.countLimitRefusal();
      waiter.refuse();
    });
    this.loop = parts.loop;
    this.metrics = parts.metrics;
    this.changes = parts.changes;
  }

  /** The adaptive concurrency limit now (concurrency.limiter.ts). */
  get limit(): number {
    return this.limiter.limit;
  }

  /** Requests admitted and holding a slot now. */
  get inFlight(): number {
    return this.admitted;
  }

  /** Admitted requests parked on shared work, their slots lent out. */
  get parkedCount(): number {
    return this.parked;
  }

  /** Longest a request may wait for a slot, ms (0: refused at once when over the limit). */
  get queueTimeoutMs(): number {
    return this.config.ADMISSION_QUEUE_MAX > 0 ? this.config.ADMISSION_QUEUE_TIMEOUT_MS : 0;
  }

  /**
   * Whether this is sustained overload, not a burst: the queue has stood long enough, or the loop
   * has lagged past EVENT_LOOP_MAX_DELAY_MS for windows running (loop-lag.ts).
   */
  get sustained(): boolean {
    return this.sustainedAt(performance.now());
  }

  /** `sustained` at `now`; the window asks it too (admission.window.ts). */
  sustainedAt(now: number): boolean {
    return this.loop.sustained || this.queue.standing(now);
  }

  /** Takes a slot for one request (Admit) or says why not; counts loop refusals. */
  tryAcquire(): Verdict {
    if (this.loop.lagging) {
      this.metrics.rejectedByLoop.inc();
      this.changes.countRejection();
      return Verdict.LoopLagging;
    }
    // Waiters go first: a newcomer may not overtake the queue while it is not empty. A queue
    // can hold waiters while slots are free (the limit grew, or its waiters' clients left and
    // nothing is in flight to release a slot): hand those slots out first, or they would wait
    // for their timeout on an idle server.
    if (this.queue.length > 0) this.drain(performance.now());
    if (this.admitted >= this.limiter.limit || this.queue.length > 0) return Verdict.OverLimit;
    this.latencies.observeInFlight(++this.admitted);
    return Verdict.Admit;
  }

  /**
   * Queues a request that was over the limit; false when it must be refused at once (no queue,
   * or full). Later exactly one of waiter.admit() or waiter.refuse() is called: while the queue
   * stands, within 5 ms (admission.queue.ts).
   */
  wait(waiter: GateWaiter): boolean {
    const now = performance.now();
    if (waiter.maxWaitMs <= 0 || !this.queue.offer(waiter, now)) {
      this.countLimitRefusal();
      return false;
    }
    this.expiry.arm(now);
    return true;
  }

  /** A slot for a request just admitted (tryAcquire said Admit, or a waiter's admit()). */
  slot(admittedAt: number, queuedMs = 0): AdmissionSlot {
    return new AdmissionSlot(this, admittedAt, queuedMs);
  }

  /** SlotOwner: a parked request's slot goes to the next waiter (admission.slot.ts). */
  vacate(): void {
    this.admitted--;
    this.parked++;
    this.drain(performance.now());
  }

  /** SlotOwner: a parked request resumed; it is in flight again even past the limit. */
  occupy(): void {
    this.parked--;
    this.latencies.observeInFlight(++this.admitted);
  }

  /** SlotOwner: a request finished; its latency sample leaves out the time it was parked. */
  release(busyMs: number, holdsSlot: boolean, answered: boolean): void {
    if (holdsSlot) this.admitted--;
    else this.parked--;
    if (answered) this.latencies.record(busyMs);
    this.drain(performance.now());
  }

  /** Admits waiters while slots are free. */
  drain(now: number): void {
    while (this.admitted < this.limiter.limit && this.queue.length > 0) {
      const next = this.queue.take(now);
      if (!next) break;
      this.latencies.observeInFlight(++this.admitted);
      next.admit();
    }
  }

  /** A queued request's client left before a slot came (admission.listener.ts). */
  abandon(waiter: GateWaiter): void {
    this.queue.cancel(waiter, performance.now());
    this.metrics.abandoned.inc();
  }

  private countLimitRefusal(): void {
    this.metrics.rejectedByLimit.inc();
    this.changes.countRejection();
  }

  /** Stops the queue's expiry timer (at shutdown, once the servers are closed). */
  stop(): void {
    this.expiry.stop();
  }
}
