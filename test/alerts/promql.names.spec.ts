import { metricNames, selectors } from './promql.names.js';

describe('metricNames (PromQL selectors of rules and panels)', () => {
  it('finds the series inside functions, aggregations and binary operations', () => {
    const expr = `histogram_quantile(0.99, sum by (namespace, le) (rate(a_seconds_bucket{job=~".*x.*", le!="0.5"}[5m])))
      / on (namespace) group_left (pod) sum without (pod) (b_total offset 1h) > 0.1 and bool c:recorded:ratio`;
    expect(metricNames(expr)).toEqual(['a_seconds_bucket', 'b_total', 'c:recorded:ratio']);
  });

  it('ignores label names, strings, durations and Grafana variables', () => {
    const expr = `label_replace(max_over_time(up_gauge{route="/items/{id}", code=~"5.."}[$__rate_interval]), "dst", "$1", "src", "(.*)") * 1e3 + 0x1f - .5`;
    expect(metricNames(expr)).toEqual(['up_gauge']);
  });

  it('reads {__name__="..."} selectors and aggregations written with the modifier first', () => {
    expect(metricNames('count({__name__="x_total", job="a"}) by (job) or topk(3, y)')).toEqual([
      'x_total',
      'y',
    ]);
  });

  it('rejects an unbalanced matcher instead of guessing', () => {
    expect(() => metricNames('rate(x{job="a"[5m])')).toThrow(/unbalanced/);
  });
});

describe('selectors (names and the labels their matchers test)', () => {
  it('pairs each selector with its label names, strings with operators inside ignored', () => {
    expect(
      selectors('rate(a_total{code=~"5..|x=y", route!="/a"}[5m]) / b{ le = "0.5" } + c'),
    ).toEqual([
      {
        name: 'a_total',
        labels: ['code', 'route'],
        matchers: [
          { label: 'code', op: '=~', value: '5..|x=y' },
          { label: 'route', op: '!=', value: '/a' },
        ],
      },
      { name: 'b', labels: ['le'], matchers: [{ label: 'le', op: '=', value: '0.5' }] },
      { name: 'c', labels: [], matchers: [] },
    ]);
  });

  it("reads each matcher's value out of its quotes, escapes undone", () => {
    expect(selectors(`x{a="q\\"d", b='s\\'q', c=~\`raw\\.\`, __name__="x"}`)[0]?.matchers).toEqual([
      { label: 'a', op: '=', value: 'q"d' },
      { label: 'b', op: '=', value: "s'q" },
      { label: 'c', op: '=~', value: 'raw\\.' },
    ]);
  });
});
