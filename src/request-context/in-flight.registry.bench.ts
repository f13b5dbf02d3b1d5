/**
 * ns per request (one add, one delete) for the in-flight registry, and the young-generation
 * collections the loop caused: a plain Set against InFlightRegistry's swap-remove array, with the
 * number in flight swinging between 0 and a few hundred as it does under load (requests finish in
 * another order than they arrived). A Set rehashes into a new table when it grows past its
 * capacity and when it shrinks below a quarter of it, so a swinging size allocates tables; the
 * array keeps its backing store. If the array stops winning clearly, the Set comes back.
 *   npm run bench -- micro   (or: npm run build && node dist/request-context/in-flight.registry.bench.js)
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { InFlightRegistry, type InFlightRequest } from './in-flight.registry.js';

interface Registry {
  add(request: InFlightRequest): void;
  delete(request: InFlightRequest): void;
  readonly size: number;
}

const ROUNDS = 20_000;
/** Peak in flight per round: a burst of arrivals, then the answers, each round a different size. */
const PEAKS = [8, 40, 130, 300, 70, 220];

function makeRequests(count: number): InFlightRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    requestId: `r${i}`,
    method: 'GET',
    url: '/hello',
    startedAt: i,
    inFlightSlot: -1,
  }));
}

/** Fills to each peak and drains in a scrambled order; returns ns per add + delete. */
function nsPerRequest(registry: Registry, requests: InFlightRequest[]): number {
  let operations = 0;
  const started = process.hrtime.bigint();
  for (let round = 0; round < ROUNDS; round++) {
    const peak = PEAKS[round % PEAKS.length]!;
    for (let i = 0; i < peak; i++) registry.add(requests[i]!);
    // Every 7th first, then the rest: answers do not come back in arrival order.
    for (let i = 0; i < peak; i += 7) registry.delete(requests[i]!);
    for (let i = 0; i < peak; i++) if (i % 7 !== 0) registry.delete(requests[i]!);
    operations += peak;
  }
  const ns = Number(process.hrtime.bigint() - started) / operations;
  if (registry.size !== 0) throw new Error(`registry not drained: ${registry.size}`);
  return ns;
}

async function measure(name: string, make: () => Registry): Promise<void> {
  const requests = makeRequests(Math.max(...PEAKS));
  nsPerRequest(make(), requests); // warm-up
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(make(), requests)));
  await new Promise((resolve) => setTimeout(resolve, 50)); // gc entries arrive asynchronously
  observer.disconnect();
  process.stdout.write(
    `  ${`${name}, ${collections} GCs in 3 runs`.padEnd(56)} ${best.toFixed(0).padStart(6)} ns/request\n`,
  );
}

process.stdout.write('add + delete per request, in flight swinging 0..300\n');
await measure('Set (plain)', () => new Set<InFlightRequest>());
await measure('InFlightRegistry (swap-remove array)', () => new InFlightRegistry());
