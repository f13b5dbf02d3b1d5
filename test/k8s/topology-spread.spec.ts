/**
 * Every topology spread constraint, in every kustomize render and chart render, counts only the
 * nodes a pod could be scheduled on. With nodeTaintsPolicy left at its default (Ignore), the
 * nodes of a lost zone, tainted unreachable, still count as a zone holding 0 pods: under
 * DoNotSchedule every new pod elsewhere would exceed maxSkew 1 and stay Pending until the zone
 * came back (kubernetes/kubernetes#123019), exactly when capacity is needed.
 */
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { objects, parseObjects, rampartWorkloads, type K8sObject } from './manifests.js';
import { podSpec } from './consistency.helpers.js';
import { chartObjects, isHook, templateChart } from './helm.render.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';

/** Each rampart workload's constraints, named `<render>: <workload>`. */
async function renders(): Promise<[string, TopologySpreadConstraint[]][]> {
  const chartZoneHard = parseObjects(
    await templateChart(['--set', 'topologySpread.zoneWhenUnsatisfiable=DoNotSchedule']),
  );
  const named: [string, K8sObject[]][] = [
    ['kustomize base', objects('base')],
    ['kustomize dev', objects('dev')],
    ['kustomize prod', objects('prod')],
    ['chart default', await chartObjects('default')],
    ['chart all-toggles', await chartObjects('all-toggles')],
    ['chart zoneWhenUnsatisfiable=DoNotSchedule', chartZoneHard],
  ];
  return named.flatMap(([name, objs]) =>
    rampartWorkloads(objs.filter((o) => !isHook(o))).map(
      (w): [string, TopologySpreadConstraint[]] => [
        `${name}: ${w.metadata.name}`,
        podSpec(w).topologySpreadConstraints ?? [],
      ],
    ),
  );
}

describe('topology spread constraints', () => {
  let all: [string, TopologySpreadConstraint[]][];
  beforeAll(async () => {
    all = await renders();
  });

  it('each workload spreads over nodes and zones', () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const [name, constraints] of all)
      expect({ name, keys: constraints.map((c) => c.topologyKey).sort() }).toEqual({
        name,
        keys: [HOSTNAME, ZONE],
      });
  });

  it('every constraint honours node taints and node affinity', () => {
    const loose = all.flatMap(([name, constraints]) =>
      constraints
        .filter((c) => c.nodeTaintsPolicy !== 'Honor' || c.nodeAffinityPolicy !== 'Honor')
        .map((c) => `${name}: ${c.topologyKey} ${c.whenUnsatisfiable}`),
    );
    expect(loose).toEqual([]);
  });

  it('the zone rule is hard where it is meant to be: prod and the chart when asked', () => {
    const zoneRule = (name: string) =>
      all.find(([n]) => n === name)![1].find((c) => c.topologyKey === ZONE)!;
    expect(zoneRule('kustomize prod: rampart').whenUnsatisfiable).toBe('DoNotSchedule');
    expect(zoneRule('chart zoneWhenUnsatisfiable=DoNotSchedule: rampart').whenUnsatisfiable).toBe(
      'DoNotSchedule',
    );
    expect(zoneRule('kustomize base: rampart').whenUnsatisfiable).toBe('ScheduleAnyway');
  });
});
