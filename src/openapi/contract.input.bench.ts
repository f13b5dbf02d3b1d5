/**
 * ns per query checked by refuseQuery, which every items and counters route calls on every
 * request: `Object.keys(query).length > 0` (what it does) against a `for…in` that stops at the
 * first key (no array built). If the loop does not win by a clear margin, Object.keys stays.
 * It did not (Node 24, pinned, 3 runs of best-of-3 on the shared 2-core machine): without a
 * query, the router's `{}` and most requests, 8.4-11.6 ns against 10.2-11.9 ns; with one, the
 * loop saved 2-6 ns before a refusal (400) that costs 22-30 µs.
 *   npm run bench -- micro   (or: npm run build && node dist/openapi/contract.input.bench.js)
 */
import { refuseQuery } from './contract.input.js';

// The router's objects (find-my-way): `{}` for a request without a query (most of them), and
// for one with a query fast-querystring's result, an instance of an empty constructor whose
// prototype has no prototype (nothing inherited for `for…in` to walk).
class Parsed {}
Object.setPrototypeOf(Parsed.prototype, null);
const parsed = (entries: Record<string, string>): object => Object.assign(new Parsed(), entries);

const viaKeys = (query: unknown): boolean =>
  typeof query === 'object' && query !== null && Object.keys(query).length > 0;

function viaForIn(query: unknown): boolean {
  if (typeof query !== 'object' || query === null) return false;
  for (const _key in query) return true;
  return false;
}

const CASES: Array<[string, object[]]> = [
  ['no query ({})', [{}]],
  ['one parameter', [parsed({ dryRun: 'true' })]],
  ['three parameters', [parsed({ a: '1', b: '2', c: '3' })]],
  ['1 in 16 with a parameter', [...Array.from({ length: 15 }, () => ({})), parsed({ x: '' })]],
];

function nsPer(check: (query: unknown) => boolean, queries: object[], runs = 2_000_000): number {
  let found = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) if (check(queries[i % queries.length])) found++;
  const ns = Number(process.hrtime.bigint() - started) / runs;
  if (found < 0) throw new Error('unreachable: keeps the results used');
  return ns;
}

// refuseQuery itself: where it passes (no parameter), and where it refuses one, a 400 whose cost
// (zod's parse and the problem) follows either check alike.
const refuse = (query: unknown): boolean => {
  try {
    refuseQuery(query);
    return false;
  } catch {
    return true;
  }
};

for (const [label, queries] of CASES) {
  for (const query of queries) {
    if (viaKeys(query) !== viaForIn(query)) throw new Error(`${label}: the checks disagree`);
  }
  process.stdout.write(`${label}\n`);
  const checks: Array<[string, (query: unknown) => boolean, number?]> = [
    ['Object.keys(query).length > 0', viaKeys],
    ['for…in, first key', viaForIn],
  ];
  if (label === 'no query ({})') checks.push(['refuseQuery(query)', refuse]);
  if (label === 'one parameter') checks.push(['refuseQuery(query), refused (400)', refuse, 20_000]);
  for (const [name, check, runs] of checks) {
    nsPer(check, queries, runs); // warm-up
    // Best of 3: the machine is shared; the minimum is the least disturbed run.
    const best = Math.min(...[1, 2, 3].map(() => nsPer(check, queries, runs)));
    process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(1).padStart(6)} ns/op\n`);
  }
}
