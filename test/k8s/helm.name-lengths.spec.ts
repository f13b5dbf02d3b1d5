/**
 * Kubernetes refuses a Service whose name is not a DNS-1035 label of at most 63 characters, and
 * any object whose name passes 253. The chart's full name is cut at 63 (the Helm convention), so
 * every name that adds a suffix to it must cut first: `<fullname>-admin`, from a release name of
 * 53 (full name `<release>-rampart`, 61), was 67 characters, and `helm install` with a long release name failed at apply time. Rendered
 * with the longest names Helm and the chart's schema allow.
 */
import { ofKind, parseObjects } from './manifests.js';
import { templateRelease } from './helm.render.js';
import { scrapedJob } from './servicemonitor.job.js';

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const EVERY_OBJECT = [
  '--set',
  'serviceMonitor.enabled=true,prometheusRule.enabled=true,grafanaDashboard.enabled=true',
  '--set',
  'ingress.enabled=true',
];
// Helm's longest release name is 53; the schema caps fullnameOverride at 52.
const LONG = 'x'.repeat(53);
const LONG_RAMPART = `rampart-${'x'.repeat(45)}`;

describe('object names at the longest names Helm and the schema allow', () => {
  it.each([
    ['a release name of 53 (full name <release>-rampart, cut to 63)', LONG, []],
    ['a release name of 53 that says rampart', LONG_RAMPART, []],
    ['a fullnameOverride of 52', 'r', ['--set', `fullnameOverride=${'y'.repeat(52)}`]],
    // Helm takes dots in a release name; a Service name may not hold them.
    ['a release name with dots', 'payments.eu.v2', []],
    ['a release name of 53 with dots', `${'x'.repeat(26)}.${'y'.repeat(26)}`, []],
  ])('%s: every Service is a DNS-1035 label, every name fits', async (_label, release, args) => {
    const objs = parseObjects(
      await templateRelease({ release, namespace: 'long' }, [...EVERY_OBJECT, ...args]),
    );
    const services = ofKind(objs, 'Service').map((s) => s.metadata!.name!);
    expect(services.length).toBe(2);
    expect(services.filter((name) => !DNS_1035_LABEL.test(name))).toEqual([]);
    expect(objs.map((o) => o.metadata!.name!).filter((name) => name.length > 253)).toEqual([]);
  });

  it('a release name with dots keeps them where a label value may: the instance label', async () => {
    const objs = parseObjects(
      await templateRelease({ release: 'payments.eu', namespace: 'dots' }, EVERY_OBJECT),
    );
    const service = ofKind(objs, 'Service').find((s) => !s.metadata!.name!.endsWith('-admin'));
    expect(service?.metadata!.name).toBe('payments-eu-rampart');
    expect(service?.metadata!.labels?.['app.kubernetes.io/instance']).toBe('payments.eu');
  });

  it('a release name starting with a digit is refused with a message naming fullnameOverride', async () => {
    await expect(templateRelease({ release: '1payments', namespace: 'digit' }, [])).rejects.toThrow(
      /"1payments-rampart" starts with a digit.*set fullnameOverride/,
    );
  });

  it('the admin Service keeps its -admin suffix, and the job the rules select is its name', async () => {
    const objs = parseObjects(
      await templateRelease({ release: LONG, namespace: 'long' }, EVERY_OBJECT),
    );
    const admin = ofKind(objs, 'Service').find((s) => s.metadata!.name!.endsWith('-admin'));
    expect(admin?.metadata!.name).toHaveLength(63);
    expect(scrapedJob(objs)).toBe(admin!.metadata!.name);
  });
});
