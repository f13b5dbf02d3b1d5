/**
 * A release's runbooks give their commands as they are to be typed. The rules file is written for
 * any install, so its runbooks say `<release>` (helm rollback, the instance label of a selector)
 * and name the Redis prefix by its default; a paged engineer then had to work out which release
 * the alert came from before a command would run. The chart knows both: each release's rendered
 * runbooks name that release and its prefix, and no placeholder is left.
 */
import { ofKind, parseObjects } from './manifests.js';
import { templateRelease } from './helm.render.js';
import type { PrometheusRule } from './prometheusrule.types.js';

const MONITORING = ['--set', 'serviceMonitor.enabled=true,prometheusRule.enabled=true'];

async function runbooks(release: string, namespace: string, args: string[] = []) {
  const objs = parseObjects(
    await templateRelease({ release, namespace }, [...MONITORING, ...args]),
  );
  const [rule] = ofKind<PrometheusRule>(objs, 'PrometheusRule');
  return rule!.spec.groups.flatMap((g) =>
    g.rules.flatMap((r) => (r.annotations?.runbook ? [String(r.annotations.runbook)] : [])),
  );
}

describe('the chart fills its release into the runbooks', () => {
  it('names the release in every command, and leaves no placeholder', async () => {
    const texts = await runbooks('canary', 'shop');
    const all = texts.join('\n');
    expect({
      placeholders: all.match(/<release>|<namespace>/g) ?? [],
      rollback: /rollback canary\b/.test(all),
      instanceSelectors: [...new Set(all.match(/app\.kubernetes\.io\/instance=[^,)\s']+/g))],
    }).toEqual({
      placeholders: [],
      rollback: true,
      instanceSelectors: ['app.kubernetes.io/instance=canary'],
    });
  });

  it("names the release's own Redis prefix: the chart's default, or the one config sets", async () => {
    const prefixOf = (texts: string[]) =>
      /REDIS_KEY_PREFIX, ([A-Za-z0-9._:-]+)\)/.exec(texts.join('\n'))?.[1];
    expect([
      prefixOf(await runbooks('canary', 'shop')),
      prefixOf(await runbooks('canary', 'shop', ['--set', 'config.REDIS_KEY_PREFIX=team:'])),
    ]).toEqual(['shop:canary:', 'team:']);
  });
});
