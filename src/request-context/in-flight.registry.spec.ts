import { InFlightRegistry, type InFlightRequest } from './in-flight.registry.js';

const request = (id: number): InFlightRequest => ({
  requestId: `r${id}`,
  method: 'GET',
  url: `/items/${id}`,
  startedAt: 1_000 + id,
  inFlightSlot: -1,
});

describe('InFlightRegistry', () => {
  it('holds exactly the requests added and not yet deleted, whatever order they finish in', () => {
    const registry = new InFlightRegistry();
    const requests = Array.from({ length: 50 }, (_, i) => request(i));
    for (const r of requests) registry.add(r);
    const finished = requests.filter((_, i) => i % 3 !== 1);
    for (const r of finished) registry.delete(r);

    const open = requests.filter((_, i) => i % 3 === 1).map((r) => r.requestId);
    expect(registry.size).toBe(open.length);
    expect(registry.snapshot(2_000).map((r) => r.id)).toEqual(open);
    for (const r of finished) expect(r.inFlightSlot).toBe(-1);
  });

  it('lists the oldest request first, with its age', () => {
    const registry = new InFlightRegistry();
    const [a, b, c] = [request(1), request(2), request(3)];
    registry.add(a);
    registry.add(b);
    registry.add(c);
    registry.delete(a); // c moves into a's slot
    expect(registry.snapshot(1_010)).toEqual([
      { id: 'r2', method: 'GET', url: '/items/2', startedAt: 1_002, ageMs: 8 },
      { id: 'r3', method: 'GET', url: '/items/3', startedAt: 1_003, ageMs: 7 },
    ]);
  });

  it('ignores a second add or delete of the same request', () => {
    const registry = new InFlightRegistry();
    const [a, b] = [request(1), request(2)];
    registry.add(a);
    registry.add(a);
    registry.add(b);
    expect(registry.size).toBe(2);
    registry.delete(a);
    registry.delete(a);
    expect(registry.size).toBe(1);
    expect(registry.snapshot().map((r) => r.id)).toEqual(['r2']);
  });

  it('keeps two registries apart', () => {
    const [one, two] = [new InFlightRegistry(), new InFlightRegistry()];
    const a = request(1);
    one.add(a);
    two.delete(a); // not in two: a stays in one
    expect(one.size).toBe(1);
    expect(two.size).toBe(0);
  });
});
