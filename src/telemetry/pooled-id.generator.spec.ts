import { isValidSpanId, isValidTraceId } from '@opentelemetry/api';
import { PooledIdGenerator } from './pooled-id.generator.js';

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
});
