import { Registry } from 'prom-client';
import { SeriesHistogram } from './series.histogram.js';

describe('SeriesHistogram', () => {
  it('exposes cumulative buckets, +Inf, _sum and _count per bound series through a Registry', async () => {
    const histogram = new SeriesHistogram('req_seconds', 'Request time.', [0.1, 1]);
    const ok = histogram.bind({ route: '/a', status: 200 });
    histogram.bind({ route: '/b', status: 500 }).observe(5);
    ok.observe(0.05);
    ok.observe(0.1); // on a bound: counted in that bucket (le is "less or equal")
    ok.observe(0.5);
    const registry = new Registry();
    registry.registerMetric(histogram.asMetric());
    const text = await registry.metrics();
    expect(text).toContain('# TYPE req_seconds histogram');
    expect(text).toContain('req_seconds_bucket{route="/a",status="200",le="0.1"} 2');
    expect(text).toContain('req_seconds_bucket{route="/a",status="200",le="1"} 3');
    expect(text).toContain('req_seconds_bucket{route="/a",status="200",le="+Inf"} 3');
    expect(text).toContain('req_seconds_sum{route="/a",status="200"} 0.65');
    expect(text).toContain('req_seconds_count{route="/a",status="200"} 3');
    expect(text).toContain('req_seconds_bucket{route="/b",status="500",le="1"} 0');
    expect(text).toContain('req_seconds_bucket{route="/b",status="500",le="+Inf"} 1');
  });

  it('reset() zeroes every series but keeps the bindings', async () => {
    const histogram = new SeriesHistogram('x_seconds', 'X.', [1]);
    const series = histogram.bind({ a: 'b' });
    series.observe(0.5);
    histogram.reset();
    series.observe(2);
    const { values } = histogram.get();
    expect(values.find((v) => v.metricName === 'x_seconds_count')?.value).toBe(1);
    expect(values.find((v) => v.labels.le === 1)?.value).toBe(0);
  });
});
