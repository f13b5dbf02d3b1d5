import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { TraceIdRatioSampler } from './trace-id-ratio.sampler.js';

const decisions = (ratio: number, ids: string[]) => {
  const ours = new TraceIdRatioSampler(ratio);
  const sdk = new TraceIdRatioBasedSampler(ratio);
  return {
    ours: ids.map((id) => ours.shouldSample(ROOT_CONTEXT, id).decision),
    sdk: ids.map((id) => sdk.shouldSample(ROOT_CONTEXT, id).decision),
  };
};

describe('TraceIdRatioSampler', () => {
  const random = Array.from({ length: 20_000 }, () => randomBytes(16).toString('hex'));

  it.each([0, 0.001, 0.1, 0.5, 0.999, 1, -1, 2, Number.NaN])(
    'decides as the SDK sampler does on random ids at ratio %p',
    (ratio) => {
      const { ours, sdk } = decisions(ratio, random);
      expect(ours).toEqual(sdk);
    },
  );

  it('samples about the ratio it was given', () => {
    const sampled = decisions(0.1, random).ours.filter((d) => d !== 0).length;
    expect(sampled / random.length).toBeGreaterThan(0.08);
    expect(sampled / random.length).toBeLessThan(0.12);
  });

  it('agrees with the SDK on ids at the edges: case, invalid digits, length, all zero', () => {
    const edges = [
      'ABCDEF0123456789ABCDEF0123456789',
      'abcdef0123456789ABCDEF0123456789',
      'ffffffffffffffffffffffffffffffff',
      '00000000000000000000000000000001',
      '0'.repeat(32),
      'g'.repeat(32),
      '0af7651916cd43dd8448eb211c80319',
      '0af7651916cd43dd8448eb211c80319cc',
      '0af7651916cd43dd8448eb211c80319:',
      '0af7651916cd43dd8448eb211c80319@',
      '',
    ];
    for (const ratio of [0, 0.5, 1]) {
      const { ours, sdk } = decisions(ratio, edges);
      expect(ours).toEqual(sdk);
    }
    // At ratio 1 an invalid id is still not sampled.
    expect(decisions(1, ['0'.repeat(32), 'g'.repeat(32)]).ours).toEqual([0, 0]);
  });
});
