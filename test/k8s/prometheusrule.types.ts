/**
 * Strict TypeScript shape of the Prometheus Operator's PrometheusRule (monitoring.coreos.com/v1),
 * with the rule fields Prometheus' own rules file accepts: anything else in the manifest is an
 * error, as for a built-in kind checked against kubernetes-types. Field names follow the CRD.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string | number;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  limit?: number;
  query_offset?: string;
  labels?: Record<string, string>;
  partial_response_strategy?: string;
  rules: Rule[];
}

export interface PrometheusRule {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: ObjectMeta;
  spec: { groups: RuleGroup[] };
}
