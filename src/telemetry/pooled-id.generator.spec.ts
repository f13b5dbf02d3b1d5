import { isValidSpanId, isValidTraceId } from '@opentelemetry/api';
import { isAllZeroId, PooledIdGenerator } from './pooled-id.generator.js';

describe('PooledIdGenerator', () => {
  it('makes valid, distinct W3C trace and span ids across many pool refills', () => {
    const ids = new PooledIdGenerator();
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const traceId = ids.generateTraceId();
      const spanId = ids.generateSpanId();
      expect(isValidTraceId(traceId) && isValidSpanId(spanId)).toBe(true);
      traceIds.add(traceId);
      spanIds.add(spanId);
    }
    expect(traceIds.size).toBe(10_000);
    expect(spanIds.size).toBe(10_000);
  });

  it('uses every hex digit (the ids are random, not a counter)', () => {
    const ids = new PooledIdGenerator();
    const seen = new Set([...Array.from({ length: 100 }, () => ids.generateTraceId()).join('')]);
    expect([...seen].sort().join('')).toBe('0123456789abcdef');
  });

  it('never hands out the all-zero ids the W3C calls invalid: it takes the next ones', () => {
    const ids = new PooledIdGenerator();
    const next = 'ab'.repeat(16);
    // The pool as a refill could leave it: zeros where the next trace id and span id come from.
    Object.assign(ids, { pool: `${'0'.repeat(32)}${next}${'0'.repeat(16)}${next}`, offset: 0 });
    expect(ids.generateTraceId()).toBe(next);
    expect(ids.generateSpanId()).toBe(next.slice(0, 16));
  });
});

describe('isAllZeroId', () => {
  it('is true for ids of zeros only, whatever their length', () => {
    expect(isAllZeroId('0'.repeat(16))).toBe(true);
    expect(isAllZeroId('0'.repeat(32))).toBe(true);
  });

  it('is false for an id with any other digit, wherever it is, and for no id at all', () => {
    for (const at of [0, 7, 15]) {
      const id = [...'0'.repeat(16)].map((c, i) => (i === at ? 'a' : c)).join('');
      expect(isAllZeroId(id)).toBe(false);
    }
    expect(isAllZeroId('')).toBe(false);
  });
});
