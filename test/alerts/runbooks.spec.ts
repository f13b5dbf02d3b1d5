/**
 * A runbook that sends the reader to a CPU profile must say what it takes there: every manifest
 * ships pprof off (DEBUG_PPROF_ENABLED=false, the routes answer 404), turning it on rolls the
 * pods, and the routes want the admin token. A bare `GET /debug/pprof/profile` in an alert's
 * runbook was a dead end at the moment it was needed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/child-process.js';
import { alertRules } from './alert-rules.js';

const PPROF = '/debug/pprof';
const GUIDE = 'observability.md#profiling-a-pod-in-kubernetes';
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

it('the manifests ship pprof off (the premise of the runbooks below)', () => {
  expect(read('k8s/base/rampart.env')).toMatch(/^DEBUG_PPROF_ENABLED=false$/m);
  expect(read('charts/rampart/values.yaml')).toMatch(/^ {2}DEBUG_PPROF_ENABLED: 'false'$/m);
});

describe('alert runbooks that send the reader to a profile', () => {
  const profiling = alertRules().filter((r) => r.annotations?.runbook?.includes(PPROF));

  it('exist (the check below can fail)', () => {
    expect(profiling.length).toBeGreaterThan(0);
  });

  it.each(profiling.map((r) => [r.alert, r.annotations!.runbook!] as const))(
    '%s: says to turn pprof on, that it rolls the pods, and to send the admin token',
    (_alert, runbook) => {
      expect(runbook).toContain('DEBUG_PPROF_ENABLED=true');
      expect(runbook).toContain('rolls the pods');
      expect(runbook).toContain('Authorization: Bearer');
      expect(runbook).toContain('docs/observability.md');
    },
  );
});

describe('docs/alerts.md', () => {
  const sections = read('docs/alerts.md')
    .split(/^### /m)
    .filter((s) => s.includes(PPROF));

  it.each(sections.map((s) => [s.split('\n')[0]!, s] as const))(
    '%s: a profile step links to how to profile a pod',
    (_title, section) => {
      expect(section).toContain('DEBUG_PPROF_ENABLED');
      expect(section).toContain(GUIDE);
    },
  );

  it('the guide it links to exists', () => {
    expect(sections.length).toBeGreaterThan(0);
    expect(read('docs/observability.md')).toMatch(/^### Profiling a pod in Kubernetes$/m);
  });
});
