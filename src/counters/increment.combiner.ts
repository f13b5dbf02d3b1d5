import type { Context } from '@opentelemetry/api';
import { activeContext, runInContext } from '../request-context/context.store.js';
import { answerInSerialOrder } from './increment.answers.js';

/** One statement's worth of increments for one counter. */
export interface IncrementBatch {
  readonly name: string;
  /** Sum of the callers' steps: what the statement adds. */
  readonly total: number;
  /** Callers carried (for messages and metrics). */
  readonly size: number;
  /** The latest of the callers' deadlines (epoch ms; Infinity when one has none). */
  readonly deadline: number;
  /** Aborts once every caller has left (never because one of them did). */
  readonly signal: AbortSignal;
}

export interface IncrementCombinerOptions {
  /** Most callers one statement carries. */
  maxBatch: number;
  /** The one atomic statement: adds `batch.total` to the counter, resolves with its new value. */
  apply(batch: IncrementBatch): Promise<number>;
  /** True when `error` means the batch's total left the value range (the CHECK constraint). */
  outOfRange(error: unknown): boolean;
  /** A statement is about to be sent with `size` callers. */
  onSend?(size: number): void;
  /** A caller left before its statement was sent: its step will not be applied. */
  onWithdraw?(): void;
}

interface Caller {
  readonly by: number;
  readonly signal: AbortSignal;
  readonly deadline: number;
  /** The async context it was added in: its request's, with that request's span. */
  readonly context: Context;
  state: 'queued' | 'sent' | 'left';
  /** Set while sent: tells the statement this caller stopped waiting. */
  leftSent?: (reason: unknown) => void;
  resolve(value: number): void;
  reject(error: unknown): void;
  onAbort(): void;
}

interface Lane {
  readonly queue: Caller[];
  busy: boolean;
}

/**
 * Group commit for counter increments, per counter name: while one statement for a name is in
 * flight, later increments of that name queue and go together, at most `maxBatch` at a time, in
 * the next one. Increments of one row serialise on its row lock and on one WAL flush per commit
 * anyway, so a pod gains nothing from sending them one by one: it only holds a pooled
 * connection per waiting increment (the DB_POOL_TIMEOUT storm of issue 10).
 *
 * Answers: each caller is given the value it would have seen had the increments run one after
 * another, in an order that keeps every answer in range (increment.answers.ts, with the proof).
 *
 * Leaving: a caller whose signal aborts while queued is removed and never applied. Once its
 * statement is sent, an abort only stops that caller waiting (it rejects with its own reason,
 * e.g. 504 at the deadline) — the statement goes on for the others and its increment counts
 * if the statement commits, like any write whose answer was lost. The statement is cancelled
 * only once every one of its callers has left, when nobody can use its answer (its outcome is
 * then unknown, as for any statement cancelled mid-flight).
 *
 * Failures: every caller of a failed statement gets the same error, except when the batch's
 * total left the value range: then its callers are retried one statement each, in order, so
 * only those whose own step does not fit get the range error.
 *
 * Context: a statement runs in the async context of its batch's first caller, a request that
 * waits for it, not in that of the continuation sending it (the request that started the
 * lane, long answered: its trace got the query spans of every batch the lane sent after it).
 */
export class IncrementCombiner {
  private readonly lanes = new Map<string, Lane>();
  private queued = 0;

  constructor(private readonly options: IncrementCombinerOptions) {
    if (!(options.maxBatch >= 1)) throw new Error('maxBatch must be at least 1');
  }

  /** Names with a statement in flight or increments queued (idle names are forgotten). */
  get active(): number {
    return this.lanes.size;
  }

  /** True while a statement for `name` is in flight: an increment added now waits behind it. */
  busy(name: string): boolean {
    return this.lanes.get(name)?.busy === true;
  }

  /** Increments waiting behind an in-flight statement, over all names. */
  get waiting(): number {
    return this.queued;
  }

  /**
   * Adds `by` to counter `name`; resolves with the value right after this increment.
   * `deadline` (epoch ms, Infinity for none) bounds the wait of the statement carrying it.
   */
  add(name: string, by: number, signal: AbortSignal, deadline: number): Promise<number> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { queue: [], busy: false };
      this.lanes.set(name, lane);
    }
    const promise = new Promise<number>((resolve, reject) => {
      const caller: Caller = {
        by,
        signal,
        deadline,
        context: activeContext(),
        state: 'queued',
        resolve: (value) => {
          signal.removeEventListener('abort', caller.onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal.removeEventListener('abort', caller.onAbort);
          reject(error);
        },
        onAbort: () => {
          if (caller.state === 'queued') {
            // Marked, not spliced out: removal is O(1) and take() skips it.
            caller.state = 'left';
            this.queued--;
            this.options.onWithdraw?.();
          } else {
            caller.leftSent?.(signal.reason);
          }
          caller.reject(signal.reason);
        },
      };
      signal.addEventListener('abort', caller.onAbort, { once: true });
      lane.queue.push(caller);
      this.queued++;
    });
    this.pump(name, lane);
    return promise;
  }

  /** Sends the next batch of `name` unless one is in flight; forgets idle names. */
  private pump(name: string, lane: Lane): void {
    if (lane.busy) return;
    const batch = this.take(lane);
    if (batch.length === 0) {
      if (this.lanes.get(name) === lane) this.lanes.delete(name);
      return;
    }
    lane.busy = true;
    void this.send(name, batch).finally(() => {
      lane.busy = false;
      this.pump(name, lane);
    });
  }

  /** The oldest `maxBatch` callers still waiting, marked sent. */
  private take(lane: Lane): Caller[] {
    const batch: Caller[] = [];
    let i = 0;
    for (; i < lane.queue.length && batch.length < this.options.maxBatch; i++) {
      const caller = lane.queue[i] as Caller;
      if (caller.state !== 'queued') continue;
      caller.state = 'sent';
      batch.push(caller);
    }
    lane.queue.splice(0, i);
    this.queued -= batch.length;
    return batch;
  }

  /** One statement for `batch`; never rejects (every outcome is handed to the callers). */
  private async send(name: string, batch: Caller[]): Promise<void> {
    let total = 0;
    let deadline = -Infinity;
    const controller = new AbortController();
    let waiting = batch.length;
    const leftSent = (reason: unknown) => {
      if (--waiting === 0) controller.abort(reason);
    };
    for (const caller of batch) {
      total += caller.by;
      deadline = Math.max(deadline, caller.deadline);
      caller.leftSent = leftSent;
    }
    this.options.onSend?.(batch.length);
    const first = batch[0] as Caller;
    try {
      const statement = { name, total, size: batch.length, deadline, signal: controller.signal };
      const value = await runInContext(first.context, () => this.options.apply(statement));
      answerInSerialOrder(batch, value - total);
    } catch (error) {
      if (batch.length > 1 && this.options.outOfRange(error)) {
        // Nothing was applied; a caller that left meanwhile stays unapplied.
        for (const caller of batch) {
          if (!caller.signal.aborted) await this.send(name, [caller]);
        }
      } else {
        for (const caller of batch) caller.reject(error);
      }
    }
  }
}
