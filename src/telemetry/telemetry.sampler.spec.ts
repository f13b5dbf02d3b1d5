import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { samplerFromConfig } from './telemetry.sampler.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const withParent = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: 'b7ad6b7169203331',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
const decide = (sampler: ReturnType<typeof samplerFromConfig>, ctx = ROOT_CONTEXT) =>
  sampler.shouldSample(ctx, TRACE_ID, 'GET /hello', SpanKind.SERVER, {}, []).decision;

describe('samplerFromConfig', () => {
  it('parentbased_traceidratio at 0 drops roots but follows a sampled remote parent', () => {
    const sampler = samplerFromConfig('parentbased_traceidratio', 0);
    expect(decide(sampler)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler, withParent(true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(sampler, withParent(false))).toBe(SamplingDecision.NOT_RECORD);
  });

  it('parentbased_traceidratio at 1 samples every root', () => {
    expect(decide(samplerFromConfig('parentbased_traceidratio', 1))).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });

  it('traceidratio ignores the parent; always_off and always_on do what they say', () => {
    expect(decide(samplerFromConfig('traceidratio', 0), withParent(true))).toBe(
      SamplingDecision.NOT_RECORD,
    );
    expect(decide(samplerFromConfig('always_off', 1))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(samplerFromConfig('always_on', 0))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });
});
