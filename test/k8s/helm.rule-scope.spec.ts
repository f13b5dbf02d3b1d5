/**
 * Each release's PrometheusRule reads its own release's series only. Prometheus runs every rule
 * over every series it holds, so two releases whose rules selected any rampart job (a canary
 * beside the main release, or staging and prod on one Prometheus) each wrote the same recorded
 * series (duplicate samples, one group's writes rejected) and fired every alert once per release.
 * Checked on real renders, as Prometheus would match: every vector selector of every rule,
 * recorded series included, selects the series its release's ServiceMonitor scrapes (job and
 * namespace) and none of the other release's; each rendered spec passes `promtool check rules`;
 * and with both releases' rules loaded side by side (`promtool test rules`, the real binary), an
 * alert fires once per failing release, not once per release per rule object.
 */
import { selectors, type Matcher } from '../alerts/promql.names.js';
import { ofKind, parseObjects } from './manifests.js';
import { templateRelease } from './helm.render.js';
import { RELEASE_PAIRS, type Release } from './release-pairs.js';
import type { PrometheusRule } from './prometheusrule.types.js';
import { checkRules, testRules } from './promtool.rendered.js';
import { selectsTarget } from './series.match.js';
import { scrapedJob } from './servicemonitor.job.js';

const MONITORING = ['--set', 'serviceMonitor.enabled=true,prometheusRule.enabled=true'];

/** The labels the series of one release's pods carry, and its rendered rules. */
interface Rendered {
  series: { job: string; namespace: string };
  rule: PrometheusRule;
}

async function render(at: Release): Promise<Rendered> {
  const objs = parseObjects(await templateRelease(at, MONITORING));
  const rules = ofKind<PrometheusRule>(objs, 'PrometheusRule');
  expect(rules).toHaveLength(1);
  return { series: { job: scrapedJob(objs), namespace: at.namespace }, rule: rules[0]! };
}

/** Every vector selector of the rules, with the rule it is in. */
function ruleSelectors(rule: PrometheusRule): Array<{ where: string; matchers: Matcher[] }> {
  return rule.spec.groups.flatMap((g) =>
    g.rules.flatMap((r) =>
      selectors(String(r.expr)).map((s) => ({
        where: `${r.alert ?? r.record}: ${s.name}`,
        matchers: s.matchers,
      })),
    ),
  );
}

/**
 * `<rule>: <metric>` of each selector that would read a series of the release with these target
 * labels: its matchers on them accept them; the series' other labels (route, status code) may
 * take any value.
 */
function selecting(rule: PrometheusRule, target: Rendered['series']): string[] {
  return ruleSelectors(rule)
    .filter((s) => selectsTarget(s.matchers, target))
    .map((s) => s.where);
}

/**
 * promtool unit tests with both releases in trouble for 80 minutes: every request fails (60 a
 * minute, all 500) and the event loop lags 0.5 s on pod p-0 of each. Each alert must fire once per
 * release, with that release's labels (past the hour RampartAvailabilityBudgetBurnFast's long
 * window needs).
 */
function bothReleasesFailing(releases: Rendered[]): unknown[] {
  const labels = ({ series }: Rendered) =>
    `job="${series.job}",namespace="${series.namespace}",pod="p-0"`;
  return [
    {
      interval: '1m',
      input_series: releases.flatMap((r) => [
        {
          series: `http_server_request_duration_seconds_count{${labels(r)},http_route="/api/items",http_request_method="GET",http_response_status_code="500"}`,
          values: '0+60x80',
        },
        { series: `nodejs_eventloop_lag_p99_seconds{${labels(r)}}`, values: '0.5x80' },
      ]),
      alert_rule_test: [
        {
          eval_time: '70m',
          alertname: 'RampartAvailabilityBudgetBurnFast',
          exp_alerts: releases.map(({ series }) => ({
            exp_labels: { severity: 'critical', slo: 'availability', ...series },
          })),
        },
        {
          eval_time: '70m',
          alertname: 'RampartEventLoopLag',
          exp_alerts: releases.map(({ series }) => ({
            exp_labels: { severity: 'warning', ...series, pod: 'p-0' },
          })),
        },
      ],
    },
  ];
}

describe.each(RELEASE_PAIRS)('two releases %s', (_label, first, second) => {
  let releases: [Rendered, Rendered];
  beforeAll(async () => {
    releases = [await render(first), await render(second)];
  });

  it('scrape under different job and namespace labels', () => {
    const [a, b] = releases;
    expect(a.series).not.toEqual(b.series);
  });

  it("each one's rules select its own series with every selector, and none of the other's", () => {
    for (const [own, other] of [releases, [...releases].reverse()] as const) {
      const all = ruleSelectors(own.rule).map((s) => s.where);
      expect(all.length).toBeGreaterThan(50);
      expect({
        own: selecting(own.rule, own.series),
        other: selecting(own.rule, other.series),
      }).toEqual({ own: all, other: [] });
    }
  });

  it("promtool check rules accepts each one's rendered rules", () => {
    for (const { rule } of releases)
      expect(checkRules(rule)).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('loaded into one Prometheus side by side, each alert fires once per release (promtool test rules)', () => {
    const run = testRules(
      releases.map((r) => r.rule),
      bothReleasesFailing(releases),
    );
    expect(run).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});
