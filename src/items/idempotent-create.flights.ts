import type { MetricsService } from '../metrics/metrics.service.js';
import type { Item } from './item.types.js';
import { SingleFlight } from './single-flight.js';

/** An idempotent create's answer: the item, and whether it was made by an earlier request. */
export interface CreateOutcome {
  item: Item;
  replayed: boolean;
}

/**
 * Concurrent creates with one Idempotency-Key and one body, in this process, share one
 * transaction (single-flight). Without it each retry took a pooled connection and an admission
 * slot only to wait on the key's unique index for the first one's commit: 20 retries of one slow
 * create (a client's retry loop, a proxy re-sending) held 20 connections and, on a busy
 * machine, pushed unrelated callers into the pool's queue and its refusals. Joiners are parked
 * (they lend their admission slot) and answer as replays. Different bodies with the same key do
 * not join: the database decides between them (one item, 422 for the others). Other replicas'
 * retries still meet at the unique index.
 *
 * Each caller, leader or joiner, waits under its own request's signal (single-flight.ts): it
 * leaves at its own deadline (504 REQUEST_DEADLINE_EXCEEDED) or when its client does, and the
 * others keep waiting. The transaction runs under the flight's signal, which aborts only once
 * every caller has left: a leader that leaves first takes nothing from the joiners, who get the
 * item (or the transaction's own retryable problem).
 */
export class IdempotentCreateFlights {
  private readonly flights = new SingleFlight<string, CreateOutcome>();
  private readonly result: Record<'created' | 'replayed' | 'coalesced', { inc(): void }>;

  constructor(
    metrics: MetricsService,
    private readonly parkedWhile: <T>(work: Promise<T>) => Promise<T>,
  ) {
    const creates = metrics.counter({
      name: 'items_idempotent_creates_total',
      help:
        'Creates with an Idempotency-Key by outcome: created, replayed (an earlier request ' +
        'made the item), coalesced (joined a concurrent identical request in this process)',
      labelNames: ['result'] as const,
    });
    this.result = {
      created: creates.labels('created'),
      replayed: creates.labels('replayed'),
      coalesced: creates.labels('coalesced'),
    };
  }

  /**
   * The outcome of `create` for this key and body, run once for every concurrent caller.
   * `signal` is the caller's; `create` gets one that aborts only when every caller has left.
   */
  async run(
    key: string,
    fingerprint: string,
    create: (signal: AbortSignal) => Promise<CreateOutcome>,
    signal: AbortSignal,
  ): Promise<CreateOutcome> {
    let joined = false;
    const once = async (flightSignal: AbortSignal): Promise<CreateOutcome> => {
      const outcome = await create(flightSignal);
      // Counted by the transaction, not by its leader: a leader that left first (its deadline,
      // its client) took the count of an item its transaction still made with it.
      this.result[outcome.replayed ? 'replayed' : 'created'].inc();
      return outcome;
    };
    const flight = this.flights.run(`${fingerprint} ${key}`, once, signal, (leader) => {
      joined = !leader;
      // Counted on joining, so a flight's joiners can be seen while it is still running.
      if (joined) this.result.coalesced.inc();
    });
    if (!joined) return flight;
    const shared = await this.parkedWhile(flight);
    return { item: shared.item, replayed: true };
  }
}
