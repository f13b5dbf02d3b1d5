/**
 * ns per serialized answer: JSON.stringify against fast-json-stringify compiled from the
 * documented schema (what items.service.ts and the routes' response schemas use), for one item
 * and for a page of 100. If the compiled serializer stops winning, JSON.stringify comes back
 * (the response schemas would still document the answers).
 *   npm run build && taskset -c 1 node dist/openapi/serializer.bench.js
 */
import fastJson from 'fast-json-stringify';
import { ITEM_EXAMPLE, itemPageSchema, itemSchema, type Item } from './item.types.js';
import { serializationSchema } from '../openapi/json-schema.js';

const ROUNDS = 5;
const item = (i: number): Item => ({ ...ITEM_EXAMPLE, id: String(i), name: `item ${i}` });
const CASES: Array<[string, unknown, ReturnType<typeof fastJson>]> = [
  ['one item', item(1), fastJson(serializationSchema(itemSchema))],
  [
    'a page of 100 items',
    { items: Array.from({ length: 100 }, (_, i) => item(i + 1)), nextCursor: 'aXRlbXM6MTAw' },
    fastJson(serializationSchema(itemPageSchema)),
  ],
];

function nsPer(serialize: (value: unknown) => string, value: unknown): number {
  const n = 20_000;
  let length = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) length += serialize(value).length;
  const ns = Number(process.hrtime.bigint() - started) / n;
  if (length === 0) throw new Error('nothing serialized');
  return ns;
}

for (const [label, value, compiled] of CASES) {
  if (compiled(value) !== JSON.stringify(value)) throw new Error(`${label}: outputs differ`);
  // Best of ROUNDS: the machine is shared; the minimum is the least disturbed run.
  const plain = Math.min(...Array.from({ length: ROUNDS }, () => nsPer(JSON.stringify, value)));
  const fast = Math.min(...Array.from({ length: ROUNDS }, () => nsPer(compiled, value)));
  process.stdout.write(
    `${label.padEnd(22)} JSON.stringify ${plain.toFixed(0).padStart(7)} ns   ` +
      `fast-json-stringify ${fast.toFixed(0).padStart(7)} ns   ×${(plain / fast).toFixed(2)}\n`,
  );
}
