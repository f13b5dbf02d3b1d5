/**
 * `helm template` of the chart with one set of values, given as a JSON file (no --set escaping):
 * the rendered objects, or Helm's refusal. For the specs that try values one by one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helm } from '../support/helm.js';
import { CHART_DIR, NAMESPACE, RELEASE } from './helm.render.js';
import { parseObjects, type K8sObject } from './manifests.js';

export interface ValuesRender {
  objs?: K8sObject[];
  refused?: string;
}

export async function renderValues(values: object): Promise<ValuesRender> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-values-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const run = await helm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '-f', file]);
    return run.status === 0 ? { objs: parseObjects(run.stdout) } : { refused: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Helm's message for values it must refuse (the test fails if it renders them). */
export async function refusalOf(values: object): Promise<string> {
  const { refused } = await renderValues(values);
  expect({ values, refused: refused !== undefined }).toEqual({ values, refused: true });
  return refused!;
}
