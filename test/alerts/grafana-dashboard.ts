/** charts/rampart/files/grafana-dashboard.json and the PromQL it runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/child-process.js';

export const DASHBOARD_PATH = join(ROOT, 'charts/rampart/files/grafana-dashboard.json');

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
export interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  [field: string]: unknown;
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every query the dashboard sends, tagged with where it comes from. */
export function dashboardQueries(
  dashboard = readDashboard(),
): Array<{ where: string; expr: string }> {
  const panels = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })),
  );
  // Query variables use Grafana's label_values(<selector>, <label>): the selector is PromQL.
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query = typeof v.query === 'string' ? v.query : v.query.query;
      const selector = /^label_values\((.*),\s*[a-zA-Z_]+\)$/.exec(query)?.[1];
      if (!selector) throw new Error(`variable ${v.name}: not label_values(<selector>, <label>)`);
      return { where: `variable $${v.name}`, expr: selector };
    });
  return [...panels, ...variables];
}

/** A query with Grafana's variables replaced by values PromQL accepts, for promtool. */
export function withVariablesFilled(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?[a-zA-Z_]+\}?/g, 'x');
}
