import { RequestIds, requestIdFrom } from './request-id.js';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('RequestIds', () => {
  it('makes distinct UUID-shaped ids (version 8, RFC 9562 variant)', () => {
    const ids = new RequestIds();
    const made = Array.from({ length: 100_000 }, () => ids.next());
    for (const id of made.slice(0, 1_000)) expect(id).toMatch(UUID_V8);
    expect(made.at(-1)).toMatch(UUID_V8);
    expect(new Set(made).size).toBe(made.length);
  });

  it('differs between processes by its random part', () => {
    const a = new RequestIds(Buffer.alloc(10, 0x11));
    const b = new RequestIds(Buffer.alloc(10, 0x22));
    expect(a.next()).toBe('11111111-1111-8111-9111-000000000001');
    expect(b.next()).toBe('22222222-2222-8222-a222-000000000001');
  });
});

describe('requestIdFrom', () => {
  it('keeps a sane incoming x-request-id and replaces anything else', () => {
    expect(requestIdFrom('abc-123.x:y_z')).toBe('abc-123.x:y_z');
    for (const bad of ['', 'a b', 'x'.repeat(129), 'a\nb', undefined, ['a', 'b']]) {
      expect(requestIdFrom(bad)).toMatch(UUID_V8);
    }
  });
});
