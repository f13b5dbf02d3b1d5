/**
 * The chart refuses at `helm template` time what the app refuses between settings at start-up
 * (src/config/config.relations.ts), so a contradiction fails the install, not every new pod
 * (exit 78, a rollout that never ends). The chart walks files/config-relations.json, which must
 * be the app's table; each rule is then rendered broken, held at its boundary, under each
 * exemption and from its other side, with the app's own config loader as the judge: the chart
 * refuses exactly when the app would, naming the same variables, each with the value path that
 * sets it. A rule added to the app fails here until the chart's copy has it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config.loader.js';
import { COMPARISONS, RELATED, RELATIONS } from '../../src/config/config.relations.js';
import { concurrencyLimit } from '../support/limit.js';
import { CHART_DIR } from './helm.render.js';
import { renderValues } from './helm.values-render.js';
import { appDefault, envOf, pathOf, samplesOf, valuesOf } from './relation.samples.js';

/** The first line of the chart's refusal (templates/_relations.tpl). */
const HEADER = 'values the app refuses together at start-up';
/** The chart's own rule, stricter than the app's SHUTDOWN_TIMEOUT_MS > SHUTDOWN_DRAIN_DELAY_MS. */
const STOP_SEQUENCE = 'the drain delay plus one request must end before the shutdown deadline';

describe('files/config-relations.json', () => {
  it("is the app's table: the rules, their words, and the defaults of what they compare", () => {
    const file = JSON.parse(readFileSync(join(CHART_DIR, 'files/config-relations.json'), 'utf8'));
    const defaults = Object.fromEntries(
      RELATED.flatMap((name) => {
        const value = appDefault(name);
        return value === undefined ? [] : [[name, value]];
      }),
    );
    expect(file).toEqual({ comparisons: COMPARISONS, defaults, relations: RELATIONS });
  });
});

/** The variables the app names when it refuses `env`, each once, sorted. */
function appNames(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...new Set(error.problems.map((line) => line.slice(0, line.indexOf(':'))))].sort();
  }
}

interface ChartProblem {
  setting: string;
  value: string;
  name: string;
}

/** The chart's relation problems: `config.X=5: X must …`, one a line under the header. */
function chartProblems(refused: string | undefined): ChartProblem[] {
  if (refused === undefined || !refused.includes(HEADER)) return [];
  const lines = refused.split(HEADER)[1]!.split('\n').slice(1);
  return lines
    .filter((line) => line.startsWith('  '))
    .map((line) => {
      const found =
        /^ {2}(\S+?)(?:=(\d+)| unset \(the app's default (\d+)\)): ([A-Z_]+) must /.exec(line);
      if (found === null) throw new Error(`not a relation problem: ${line}`);
      return { setting: found[1]!, value: found[2] ?? found[3]!, name: found[4]! };
    });
}

const cases = RELATIONS.flatMap((relation) =>
  samplesOf(relation).map((sample) => ({
    rule: `${relation.variable} ${relation.holds} ${relation.others.join(' and ')}`,
    ...sample,
  })),
);

describe('each rule of the app, rendered', () => {
  // Every render is queued before the first test, a few at a time (each `helm template` is
  // mostly the binary's start-up); each test awaits its own.
  const renders = new Map<number, ReturnType<typeof renderValues>>();
  beforeAll(() => {
    const limited = concurrencyLimit(4);
    cases.forEach(({ set }, index) => {
      const render = limited(() => renderValues(valuesOf(set)));
      render.catch(() => undefined); // reported by the sample's own test
      renders.set(index, render);
    });
  });
  afterAll(() => Promise.allSettled(renders.values()));

  it('covers every rule with a broken sample', () => {
    const broken = new Set(cases.filter((c) => c.names !== undefined).map((c) => c.rule));
    expect(broken.size).toBe(RELATIONS.length);
  });

  it.each(cases.map((c, index) => [c.rule, c.label, index] as const))(
    '%s, %s: the chart refuses it exactly when the app does, naming the same variables',
    async (_rule, _label, index) => {
      const { set, names } = cases[index]!;
      const env = envOf(set);
      const app = appNames(env);
      if (names !== undefined)
        expect({ set, app }).toEqual({ set, app: expect.arrayContaining([names]) });

      const { refused } = await renders.get(index)!;
      const problems = chartProblems(refused);
      const chart = [...new Set(problems.map((p) => p.name))].sort();
      expect({ set, chart }).toEqual({ set, chart: app });
      // Each problem names the value path that sets the variable, and the value it holds.
      for (const { setting, value, name } of problems) {
        expect({ name, setting, value }).toEqual({ name, setting: pathOf(name), value: env[name] });
      }
      // Refused where the app starts: only by the chart's own, stricter stop-sequence rule.
      if (app.length === 0 && refused !== undefined) expect(refused).toContain(STOP_SEQUENCE);
    },
  );
});
