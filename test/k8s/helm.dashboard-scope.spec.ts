/**
 * Each release's Grafana dashboard is its own and opens on its own pods. Grafana keeps one
 * dashboard per uid (and one per title in a folder), so two releases whose ConfigMaps both
 * carried the file's uid `rampart` (a canary beside the main release, or staging and prod seen by
 * one Grafana) replaced each other's in the sidecar's provisioning, and the variables, saved with
 * no value, opened on the first namespace and job found: any rampart in the cluster. Checked on
 * real renders: distinct uids Grafana accepts, also at the longest names Helm and Kubernetes
 * allow; titles naming release and namespace; every panel query, with the variables at the
 * values Grafana opens them on, selects the series the release's ServiceMonitor scrapes and none
 * of the other release's; and the namespace and job variables list the release's own namespace
 * and exact job only (the file's job=~".*rampart.*" listed a canary's job, and a same-named
 * release's in another namespace, as choices on this release's dashboard).
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { dashboardQueries, type Dashboard, type Variable } from '../alerts/grafana-dashboard.js';
import { selectors } from '../alerts/promql.names.js';
import { ofKind, parseObjects } from './manifests.js';
import { templateRelease } from './helm.render.js';
import { RELEASE_PAIRS, type Release } from './release-pairs.js';
import { selectsTarget } from './series.match.js';
import { scrapedJob } from './servicemonitor.job.js';

const MONITORING = ['--set', 'serviceMonitor.enabled=true,grafanaDashboard.enabled=true'];
// Grafana's limit on a dashboard uid.
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;

type Series = { job: string; namespace: string };
/** The labels the series of one release's pods carry, and its rendered dashboard. */
interface Rendered {
  series: Series;
  dashboard: Dashboard;
}
/** A query variable as saved: `current` is the value the dashboard opens on. */
type SavedVariable = Variable & {
  current?: { value?: string | string[] };
  includeAll?: boolean;
  allValue?: string;
};

async function render(at: Release): Promise<Rendered> {
  const objs = parseObjects(await templateRelease(at, MONITORING));
  const dashboards = ofKind<ConfigMap>(objs, 'ConfigMap').filter(
    (c) => c.metadata?.labels?.grafana_dashboard === '1',
  );
  expect(dashboards).toHaveLength(1);
  const json = Object.values(dashboards[0]!.data ?? {})[0]!;
  return {
    series: { job: scrapedJob(objs), namespace: at.namespace },
    dashboard: JSON.parse(json) as Dashboard,
  };
}

/**
 * The value each query variable opens on: its saved `current` value, else All (its allValue)
 * for one that offers All; a variable with neither opens on whatever its query lists first, so
 * it has no entry here.
 */
function openingValues(dashboard: Dashboard): Record<string, string> {
  const values: Record<string, string> = {};
  for (const v of dashboard.templating.list as SavedVariable[]) {
    const saved = v.current?.value;
    if (typeof saved === 'string' && saved !== '$__all') values[v.name] = saved;
    else if (v.includeAll) values[v.name] = v.allValue ?? '.*';
  }
  return values;
}

/**
 * Every vector selector of the dashboard's queries, with `$name` replaced by these values (others
 * left as they are), named by the panel or variable it is in and its metric.
 */
function selectorsWith(dashboard: Dashboard, values: Record<string, string>) {
  return dashboardQueries(dashboard).flatMap((q) =>
    selectors(
      q.expr.replace(/\$\{?([a-zA-Z_]+)\}?/g, (whole, name: string) => values[name] ?? whole),
    ).map((s) => ({ in: q.where, where: `${q.where}: ${s.name}`, matchers: s.matchers })),
  );
}
type Found = ReturnType<typeof selectorsWith>;

/** `where` of each selector that would read series of this target. */
function reading(found: Found, target: Series): string[] {
  return found.filter((s) => selectsTarget(s.matchers, target)).map((s) => s.where);
}

const isPanel = (s: { in: string }) => s.in.startsWith('panel ');

describe.each(RELEASE_PAIRS)('two releases %s', (_label, first, second) => {
  let releases: [Rendered, Rendered];
  beforeAll(async () => {
    releases = [await render(first), await render(second)];
  });
  const pairs = () => [releases, [...releases].reverse()] as const;

  it('have dashboards of distinct uids Grafana accepts, stable from one render to the next', async () => {
    const [a, b] = releases.map((r) => r.dashboard.uid);
    expect([a, b].filter((uid) => !GRAFANA_UID.test(uid!))).toEqual([]);
    expect(a).not.toBe(b);
    expect((await render(first)).dashboard.uid).toBe(a);
  });

  it('have distinct titles, each naming its release and namespace', () => {
    const [a, b] = releases.map((r) => r.dashboard.title);
    expect(a).not.toBe(b);
    for (const [{ dashboard }, at] of [
      [releases[0], first],
      [releases[1], second],
    ] as const)
      expect(dashboard.title).toBe(`rampart: ${at.namespace}/${at.release}`);
  });

  it("open on their own release: every panel reads its series and none of the other's", () => {
    for (const [own, other] of pairs()) {
      expect(openingValues(own.dashboard)).toEqual({ ...own.series, pod: '.*' });
      const panels = selectorsWith(own.dashboard, openingValues(own.dashboard)).filter(isPanel);
      const all = panels.map((s) => s.where);
      expect(all.length).toBeGreaterThan(50);
      expect({
        own: reading(panels, own.series),
        other: reading(panels, other.series),
      }).toEqual({ own: all, other: [] });
    }
  });

  it("list their own namespace and exact job only, none of the other release's", () => {
    for (const [own, other] of pairs()) {
      // A saved value the variable's query does not list would be dropped for the first listed.
      const opening = selectorsWith(own.dashboard, openingValues(own.dashboard));
      const variables = opening.filter((s) => !isPanel(s));
      expect(variables.map((s) => s.in)).toEqual([
        'variable $namespace',
        'variable $job',
        'variable $pod',
      ]);
      expect({
        own: reading(variables, own.series),
        other: reading(variables, other.series),
      }).toEqual({ own: variables.map((s) => s.where), other: [] });
      // Exactly: the job by equality, never a pattern another release's job could match.
      expect(
        variables.map((s) => ({
          where: s.where,
          job: s.matchers.filter((m) => m.label === 'job'),
          namespace: s.matchers.filter((m) => m.label === 'namespace'),
        })),
      ).toEqual(
        variables.map((s) => ({
          where: s.where,
          job: [{ label: 'job', op: '=', value: own.series.job }],
          namespace: [{ label: 'namespace', op: '=', value: own.series.namespace }],
        })),
      );
    }
  });

  it('show in the query editor the query each variable runs', () => {
    for (const { dashboard } of releases)
      for (const v of dashboard.templating.list as Array<Variable & { definition?: string }>)
        if (v.type === 'query')
          expect({ name: v.name, definition: v.definition }).toEqual({
            name: v.name,
            definition: typeof v.query === 'string' ? v.query : v.query.query,
          });
  });
});

describe('the uid at the longest names Helm and Kubernetes allow', () => {
  // Helm's longest release name is 53, a namespace is a DNS-1123 label of at most 63.
  const namespace = 'n'.repeat(63);
  const named = (last: string) => ({ release: `${'r'.repeat(52)}${last}`, namespace });

  it('is one Grafana accepts, and releases differing in their last character still differ', async () => {
    const uids = await Promise.all(
      [named('a'), named('b')].map(async (at) => (await render(at)).dashboard.uid),
    );
    expect(uids.filter((uid) => !GRAFANA_UID.test(uid))).toEqual([]);
    expect(new Set(uids).size).toBe(2);
  });
});
