/**
 * ns per request's state (made at the first hook, 100 requests in flight, none reading its
 * signal, as a `/hello` does not): PublicRequestState, whose AbortSignal is made on first read,
 * against the plain choice, the same fields in an object literal with the controller's signal
 * read at once. If the lazy signal stops winning clearly, read it at once.
 *   npm run bench -- micro   (or: npm run build && node dist/request-context/request-state.bench.js)
 */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { PublicRequestState, type RequestState } from './request-state.js';

const IN_FLIGHT = 100;

function eager(i: number): RequestState {
  const controller = new AbortController();
  return {
    requestId: 'f3b5c1de-8a0e-4c43-9a55-2c8f0f1a7b21',
    method: 'GET',
    url: '/hello',
    route: '/hello',
    probe: false,
    startedAt: i,
    deadline: i + 30_000,
    signal: controller.signal,
    span: undefined,
    context: ROOT_CONTEXT,
    bodyText: undefined,
    inFlightSlot: -1,
    admission: undefined,
  };
}

function lazy(i: number): RequestState {
  const controller = new AbortController();
  return new PublicRequestState(
    {
      requestId: 'f3b5c1de-8a0e-4c43-9a55-2c8f0f1a7b21',
      method: 'GET',
      url: '/hello',
      route: '/hello',
      probe: false,
      startedAt: i,
      deadline: i + 30_000,
      admission: undefined,
    },
    controller,
  );
}

function nsPerRequest(make: (i: number) => RequestState): number {
  const requests = 300_000;
  // A ring of the requests in flight: each new one replaces the oldest.
  const open: RequestState[] = Array.from({ length: IN_FLIGHT }, (_, i) => make(i));
  const started = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) open[i % IN_FLIGHT] = make(i);
  const ns = Number(process.hrtime.bigint() - started) / requests;
  if (open.some((state) => state.deadline < 0)) throw new Error('unreachable: keeps them alive');
  return ns;
}

process.stdout.write(`one request's state, ${IN_FLIGHT} in flight, signal not read\n`);
for (const [name, make] of [
  ['object literal, signal read at once (plain)', eager],
  ['PublicRequestState, signal on first read', lazy],
] as const) {
  nsPerRequest(make); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRequest(make)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
